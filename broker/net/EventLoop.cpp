#include "EventLoop.h"

#include <algorithm>
#include <cerrno>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace iotcore::broker {

EventLoop::EventLoop()
    : m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeup(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (isValid()) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.ptr = nullptr; // the wake-up descriptor
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeup, &event);
    }
}

EventLoop::~EventLoop()
{
    if (m_wakeup >= 0)
        ::close(m_wakeup);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EventLoop::watch(int fd, std::uint32_t events, IoHandler *handler)
{
    epoll_event event{};
    event.events = events;
    event.data.ptr = handler;
    return epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) == 0;
}

bool EventLoop::rewatch(int fd, std::uint32_t events, IoHandler *handler)
{
    epoll_event event{};
    event.events = events;
    event.data.ptr = handler;
    return epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) == 0;
}

void EventLoop::unwatch(int fd)
{
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::scheduleFlush(Flushable *flushable)
{
    m_flushQueue.push_back(flushable);
}

void EventLoop::cancelFlush(Flushable *flushable)
{
    std::replace(m_flushQueue.begin(), m_flushQueue.end(), flushable,
                 static_cast<Flushable *>(nullptr));
}

void EventLoop::setTick(std::chrono::milliseconds interval, std::function<void()> tick)
{
    m_tickInterval = interval;
    m_tick = std::move(tick);
}

void EventLoop::setEndOfTurn(std::function<void()> endOfTurn)
{
    m_endOfTurn = std::move(endOfTurn);
}

void EventLoop::post(std::function<void()> task)
{
    bool first;
    {
        std::lock_guard lock(m_postedMutex);
        first = m_posted.empty();
        m_posted.push_back(std::move(task));
    }
    if (first)
        wake();
}

void EventLoop::quit()
{
    {
        std::lock_guard lock(m_postedMutex);
        m_quitRequested = true;
    }
    wake();
}

void EventLoop::wake()
{
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(m_wakeup, &one, sizeof one);
}

void EventLoop::runPosted()
{
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(m_postedMutex);
        tasks.swap(m_posted);
        if (m_quitRequested)
            m_quit = true;
    }
    for (auto &task : tasks)
        task();
}

void EventLoop::flushScheduled()
{
    // flushNow() may schedule more (a write that frees an inflight slot); drain until quiet.
    while (!m_flushQueue.empty()) {
        std::vector<Flushable *> queue;
        queue.swap(m_flushQueue);
        for (Flushable *flushable : queue) {
            if (flushable)
                flushable->flushNow();
        }
    }
}

void EventLoop::run()
{
    using Clock = std::chrono::steady_clock;
    constexpr int MaxEvents = 256;
    epoll_event events[MaxEvents];
    auto nextTick = Clock::now() + m_tickInterval;
    m_quit = false;
    while (!m_quit) {
        const auto untilTick = std::chrono::duration_cast<std::chrono::milliseconds>(
            nextTick - Clock::now());
        const int timeout = int(std::max<std::int64_t>(0, untilTick.count()));
        const int count = epoll_wait(m_epoll, events, MaxEvents, timeout);
        if (count < 0 && errno != EINTR)
            break;
        for (int i = 0; i < count; ++i) {
            auto *handler = static_cast<IoHandler *>(events[i].data.ptr);
            if (handler) {
                handler->onIoEvent(events[i].events);
            } else {
                std::uint64_t value;
                [[maybe_unused]] const ssize_t got = ::read(m_wakeup, &value, sizeof value);
            }
        }
        runPosted();
        if (Clock::now() >= nextTick) {
            nextTick = Clock::now() + m_tickInterval;
            if (m_tick)
                m_tick();
        }
        flushScheduled();
        if (m_endOfTurn)
            m_endOfTurn();
        flushScheduled();
    }
}

} // namespace iotcore::broker
