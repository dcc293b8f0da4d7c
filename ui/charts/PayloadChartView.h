#pragma once

// Live charts of a topic's JSON payloads: pick a topic filter (a device's events,
// "$devices/<id>/events/#", or any topic), tick the numeric fields to plot, several series
// with a legend and one value axis per unit, over a time window in local time that scrolls
// (1 min, 5 min, 15 min, 1 h). Pause freezes the picture while the points are still being
// collected; the chart exports as PNG and its data as CSV.
//
// Redrawn at most ten times a second, and only when the window has moved by a pixel or a
// plotted field has new points: the broker's rate does not reach the painter.

#include <QTimer>
#include <QWidget>

#include <utility>
#include <vector>

class QComboBox;
class QLabel;
class QListView;
class QToolButton;

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace iotcore::ui {

class FieldMessage;
class MessageStore;
class PayloadSeries;

class PayloadChartView : public QWidget
{
    Q_OBJECT

public:
    static constexpr int FrameIntervalMs = 100;
    static constexpr int AutoPlottedFields = 4; // ticked by themselves until the user ticks

    explicit PayloadChartView(const MessageStore &store, QWidget *parent = nullptr);
    ~PayloadChartView() override;

    PayloadSeries *series() const { return m_series; }
    QChart *chart() const { return m_chart; }

    // Plots the fields of messages on `filter` (shown in the topic box); an invalid filter is
    // refused with its reason shown under the box, and the chart keeps its topic.
    bool setTopicFilter(const QString &filter);
    // The span of the time window, one of windowChoicesMs().
    void setWindow(qint64 ms);
    qint64 windowMs() const { return m_windowMs; }
    static std::vector<qint64> windowChoicesMs();

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // What the time axis shows, in epoch milliseconds: [now - window, now], frozen while paused.
    std::pair<qint64, qint64> timeRange() const;

    // The chart as shown, as a PNG image; the plotted fields' points in timeRange() as CSV.
    // On failure both say why in `error` and leave no partial file behind.
    bool exportPng(const QString &path, QString *error) const;
    bool exportCsv(const QString &path, QString *error) const;

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Plotted {
        int row;
        QLineSeries *line;
        QValueAxis *axis;
        quint64 revision;
    };

    void applyTopicText();
    void validateTopicText(const QString &text);
    QStringList suggestedFilters() const;
    void autoPlot(int firstRow, int lastRow);
    void rebuildSeries();
    QValueAxis *valueAxisFor(const QString &unit);
    void styleValueAxes();
    void onFrame();
    void redraw(qint64 endMs, bool force);
    void rescaleValueAxes(qint64 fromMs, qint64 toMs);
    qint64 scrollStepMs() const;
    int plotColumns() const;
    void updateTitle();
    void updateStatus();
    void chooseExportFile(bool png);

    const MessageStore &m_store;
    PayloadSeries *m_series;
    QComboBox *m_topic;
    FieldMessage *m_topicError;
    QComboBox *m_window;
    QToolButton *m_pause;
    QLabel *m_status;
    QListView *m_fields;
    QChart *m_chart;
    QChartView *m_chartView;
    QDateTimeAxis *m_timeAxis;
    std::vector<std::pair<QString, QValueAxis *>> m_valueAxes; // by unit, in order made
    std::vector<Plotted> m_plotted;
    QTimer m_frame;
    qint64 m_windowMs;
    qint64 m_shownEndMs = 0; // the time axis's right edge as last drawn
    bool m_paused = false;
    bool m_userChoseFields = false;
    bool m_autoPlotting = false;
};

} // namespace iotcore::ui
