#pragma once

// The broker thread's event loop: epoll over every socket, an eventfd for work posted from other
// threads, a periodic tick, and an end-of-turn phase in which transports write what the turn
// produced (one system call for many packets) and the engine hands its events on. Qt's own event
// loop polls every notifier on each turn, which does not hold 10,000 connections; this one does.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace iotcore::broker {

class IoHandler
{
public:
    virtual ~IoHandler() = default;
    virtual void onIoEvent(std::uint32_t events) = 0; // EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP
};

class Flushable
{
public:
    virtual ~Flushable() = default;
    virtual void flushNow() = 0;
};

class EventLoop
{
public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    bool isValid() const { return m_epoll >= 0 && m_wakeup >= 0; }

    // Loop thread only.
    bool watch(int fd, std::uint32_t events, IoHandler *handler);
    bool rewatch(int fd, std::uint32_t events, IoHandler *handler);
    void unwatch(int fd);
    // Asks for flushNow() at the end of this turn; repeated requests in one turn are merged.
    void scheduleFlush(Flushable *flushable);
    void cancelFlush(Flushable *flushable);

    void setTick(std::chrono::milliseconds interval, std::function<void()> tick);
    void setEndOfTurn(std::function<void()> endOfTurn);

    // Any thread: runs `task` on the loop thread, soon.
    void post(std::function<void()> task);
    // Any thread: run() returns after the current turn.
    void quit();

    void run();

private:
    void wake();
    void runPosted();
    void flushScheduled();

    int m_epoll = -1;
    int m_wakeup = -1;
    bool m_quit = false;
    std::vector<Flushable *> m_flushQueue;
    std::function<void()> m_tick;
    std::chrono::milliseconds m_tickInterval{500};
    std::function<void()> m_endOfTurn;

    std::mutex m_postedMutex;
    std::vector<std::function<void()>> m_posted;
    bool m_quitRequested = false;
};

} // namespace iotcore::broker
