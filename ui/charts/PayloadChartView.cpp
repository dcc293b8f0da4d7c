#include "PayloadChartView.h"

#include "FieldListDelegate.h"
#include "PayloadSeries.h"
#include "PlotPoints.h"
#include "SeriesCsv.h"
#include "SeriesPalette.h"

#include "messages/MessageStore.h"
#include "wizards/FieldMessage.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QImageWriter>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListView>
#include <QLocale>
#include <QMessageBox>
#include <QPen>
#include <QSaveFile>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

namespace iotcore::ui {

namespace {

constexpr qint64 MinuteMs = 60'000;
constexpr int MaxSuggestions = 200;
constexpr int SparsePoints = 60; // fewer points than this in view get markers

// An editable combo box whose list is refreshed from the topics seen each time it opens.
class TopicFilterBox : public QComboBox
{
public:
    TopicFilterBox(std::function<QStringList()> suggestions, QWidget *parent)
        : QComboBox(parent)
        , m_suggestions(std::move(suggestions))
    {
    }

    void showPopup() override
    {
        const QString text = currentText();
        clear();
        addItems(m_suggestions());
        setCurrentIndex(-1);
        setEditText(text);
        QComboBox::showPopup();
    }

private:
    std::function<QStringList()> m_suggestions;
};

QString windowName(qint64 ms)
{
    return ms < 60 * MinuteMs ? PayloadChartView::tr("%1 min").arg(ms / MinuteMs)
                              : PayloadChartView::tr("%1 h").arg(ms / (60 * MinuteMs));
}

QToolButton *toolButton(const QString &name, const QString &text, const QString &tip,
                        QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(name);
    button->setText(text);
    button->setToolTip(tip);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return button;
}

} // namespace

PayloadChartView::PayloadChartView(const MessageStore &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_series(new PayloadSeries(store, this))
    , m_topic(new TopicFilterBox([this] { return suggestedFilters(); }, this))
    , m_topicError(new FieldMessage(this))
    , m_window(new QComboBox(this))
    , m_pause(toolButton(QStringLiteral("pauseButton"), tr("Pause"),
                         tr("Freeze the chart; points are still collected"), this))
    , m_status(new QLabel(this))
    , m_fields(new QListView(this))
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart, this))
    , m_timeAxis(new QDateTimeAxis(m_chart))
    , m_windowMs(5 * MinuteMs)
{
    m_topic->setObjectName(QStringLiteral("topicFilter"));
    m_topic->setEditable(true);
    m_topic->setInsertPolicy(QComboBox::NoInsert);
    m_topic->setMinimumContentsLength(36);
    m_topic->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_topic->lineEdit()->setPlaceholderText(tr("Topic or filter, e.g. $devices/<id>/events/#"));
    m_topic->lineEdit()->setClearButtonEnabled(true);
    m_topic->setToolTip(tr("The topic whose JSON payloads are plotted; + and # match several"));
    m_topicError->setObjectName(QStringLiteral("topicError"));

    m_window->setObjectName(QStringLiteral("windowSpan"));
    for (const qint64 ms : windowChoicesMs())
        m_window->addItem(windowName(ms), ms);
    m_window->setCurrentIndex(m_window->findData(m_windowMs));
    m_window->setToolTip(tr("How much time the chart shows"));

    m_pause->setCheckable(true);
    auto *exportPng = toolButton(QStringLiteral("exportPngButton"), tr("Export PNG…"),
                                 tr("Save the chart as an image"), this);
    auto *exportCsv = toolButton(QStringLiteral("exportCsvButton"), tr("Export CSV…"),
                                 tr("Save the plotted points in the window as CSV"), this);
    m_status->setObjectName(QStringLiteral("status"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Topic:"), this));
    bar->addWidget(m_topic, 1);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Window:"), this));
    bar->addWidget(m_window);
    bar->addWidget(m_pause);
    bar->addWidget(exportPng);
    bar->addWidget(exportCsv);

    m_fields->setObjectName(QStringLiteral("fieldList"));
    m_fields->setModel(m_series);
    m_fields->setUniformItemSizes(true);
    m_fields->setItemDelegate(new FieldListDelegate(m_fields));
    m_fields->setToolTip(tr("Tick the fields to plot"));

    m_chart->legend()->setAlignment(Qt::AlignBottom);
    // The title only ever says what to do next (choose a topic, tick a field): make it read.
    QFont titleFont = m_chart->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_chart->setTitleFont(titleFont);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_timeAxis->setTickCount(7);
    m_timeAxis->setFormat(QStringLiteral("HH:mm:ss"));
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chartView->setObjectName(QStringLiteral("chartView"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(320, 240);

    auto *fieldsPane = new QWidget(this);
    auto *fieldsLayout = new QVBoxLayout(fieldsPane);
    fieldsLayout->setContentsMargins(0, 0, 0, 0);
    fieldsLayout->addWidget(new QLabel(tr("Fields"), fieldsPane));
    fieldsLayout->addWidget(m_fields, 1);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(fieldsPane);
    splitter->addWidget(m_chartView);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    splitter->setSizes({220, 880});

    auto *statusRow = new QHBoxLayout;
    statusRow->addStretch(1);
    statusRow->addWidget(m_status);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_topicError);
    layout->addWidget(splitter, 1);
    layout->addLayout(statusRow);

    connect(m_topic->lineEdit(), &QLineEdit::editingFinished, this, &PayloadChartView::applyTopicText);
    connect(m_topic, &QComboBox::textActivated, this, &PayloadChartView::applyTopicText);
    connect(m_topic->lineEdit(), &QLineEdit::textEdited, this, &PayloadChartView::validateTopicText);
    connect(m_window, &QComboBox::activated, this,
            [this] { setWindow(m_window->currentData().toLongLong()); });
    connect(m_pause, &QToolButton::toggled, this, &PayloadChartView::setPaused);
    connect(exportPng, &QToolButton::clicked, this, [this] { chooseExportFile(true); });
    connect(exportCsv, &QToolButton::clicked, this, [this] { chooseExportFile(false); });

    connect(m_series, &PayloadSeries::modelReset, this, [this] {
        m_userChoseFields = false;
        autoPlot(0, m_series->fieldCount() - 1);
        rebuildSeries();
    });
    connect(m_series, &PayloadSeries::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { autoPlot(first, last); });
    connect(m_series, &PayloadSeries::dataChanged, this,
            [this](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                if (!roles.contains(Qt::CheckStateRole))
                    return;
                if (!m_autoPlotting)
                    m_userChoseFields = true;
                rebuildSeries();
            });

    m_frame.setInterval(FrameIntervalMs);
    connect(&m_frame, &QTimer::timeout, this, &PayloadChartView::onFrame);
    rebuildSeries();
}

PayloadChartView::~PayloadChartView() = default;

std::vector<qint64> PayloadChartView::windowChoicesMs()
{
    return {MinuteMs, 5 * MinuteMs, 15 * MinuteMs, 60 * MinuteMs};
}

bool PayloadChartView::setTopicFilter(const QString &filter)
{
    m_topic->setEditText(filter);
    QString error;
    const bool accepted = m_series->setTopicFilter(filter.trimmed(), &error);
    m_topicError->setError(error);
    return accepted;
}

void PayloadChartView::applyTopicText()
{
    const QString text = m_topic->currentText().trimmed();
    if (text != m_series->topicFilter())
        setTopicFilter(text);
}

void PayloadChartView::validateTopicText(const QString &text)
{
    m_topicError->setError(PayloadSeries::filterError(text.trimmed()));
}

// A filter per device or registry whose events were seen ("$devices/<id>/events/#"), then the
// other topics as they are, sorted.
QStringList PayloadChartView::suggestedFilters() const
{
    std::set<QString> eventFilters;
    std::set<QString> topics;
    const StringPool &pool = m_store.topics();
    for (std::uint32_t id = 1; id < pool.size(); ++id) {
        const QString topic = QString::fromUtf8(pool.at(id).data(), qsizetype(pool.at(id).size()));
        if (topic.contains(u'+') || topic.contains(u'#'))
            continue; // a refused subscription's filter
        const QStringList levels = topic.split(u'/');
        const bool events = levels.size() >= 3
            && (levels[0] == u"$devices" || levels[0] == u"$registries") && levels[2] == u"events";
        if (events)
            eventFilters.insert(QStringList(levels.mid(0, 3)).join(u'/') + QStringLiteral("/#"));
        else
            topics.insert(topic);
    }
    QStringList result;
    for (const QString &filter : eventFilters) {
        if (result.size() < MaxSuggestions)
            result.append(filter);
    }
    for (const QString &topic : topics) {
        if (result.size() < MaxSuggestions)
            result.append(topic);
    }
    return result;
}

void PayloadChartView::autoPlot(int firstRow, int lastRow)
{
    if (m_userChoseFields)
        return;
    m_autoPlotting = true;
    for (int row = firstRow; row <= lastRow; ++row) {
        if (int(m_series->plottedFields().size()) >= AutoPlottedFields)
            break;
        m_series->setPlotted(row, true);
    }
    m_autoPlotting = false;
}

void PayloadChartView::setWindow(qint64 ms)
{
    const int index = m_window->findData(ms);
    if (index < 0)
        return;
    m_window->setCurrentIndex(index);
    m_windowMs = ms;
    m_timeAxis->setFormat(ms < 60 * MinuteMs ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
    redraw(timeRange().second, true);
}

void PayloadChartView::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    const QSignalBlocker blocker(m_pause);
    m_pause->setChecked(paused);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    if (!paused)
        redraw(timeRange().second, true);
    updateStatus();
}

std::pair<qint64, qint64> PayloadChartView::timeRange() const
{
    qint64 end = m_shownEndMs;
    if (!m_paused || end == 0) {
        // The right edge moves in steps of one pixel's time, so an idle chart is not repainted
        // for a change nobody could see.
        const qint64 step = scrollStepMs();
        end = (QDateTime::currentMSecsSinceEpoch() / step + 1) * step;
    }
    return {end - m_windowMs, end};
}

qint64 PayloadChartView::scrollStepMs() const
{
    return std::max<qint64>(FrameIntervalMs, m_windowMs / plotColumns());
}

int PayloadChartView::plotColumns() const
{
    const int width = int(m_chart->plotArea().width());
    return width > 0 ? width : std::max(m_chartView->width(), 100);
}

void PayloadChartView::rebuildSeries()
{
    for (const Plotted &plotted : m_plotted) {
        m_chart->removeSeries(plotted.line);
        delete plotted.line;
    }
    m_plotted.clear();
    for (const auto &[unit, axis] : m_valueAxes) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_valueAxes.clear();

    for (const int row : m_series->plottedFields()) {
        const SeriesField &field = m_series->field(row);
        auto *line = new QLineSeries;
        line->setName(field.title());
        QPen pen(seriesColor(row));
        pen.setWidthF(2);
        line->setPen(pen);
        m_chart->addSeries(line);
        QValueAxis *axis = valueAxisFor(field.unit);
        line->attachAxis(m_timeAxis);
        line->attachAxis(axis);
        m_plotted.push_back({row, line, axis, 0});
    }
    styleValueAxes();
    updateTitle();
    redraw(timeRange().second, true);
}

QValueAxis *PayloadChartView::valueAxisFor(const QString &unit)
{
    const auto found = std::find_if(m_valueAxes.begin(), m_valueAxes.end(),
                                    [&](const auto &entry) { return entry.first == unit; });
    if (found != m_valueAxes.end())
        return found->second;
    auto *axis = new QValueAxis;
    axis->setLabelFormat(QStringLiteral("%.6g"));
    // Units alternate sides, so two of them (°C and %) read from either edge.
    m_chart->addAxis(axis, m_valueAxes.size() % 2 == 0 ? Qt::AlignLeft : Qt::AlignRight);
    // Grid lines of one axis only: several sets of them would cross each other.
    axis->setGridLineVisible(m_valueAxes.empty());
    m_valueAxes.emplace_back(unit, axis);
    return axis;
}

// Each value axis is titled with its unit, or with its fields' names when they have none; an
// axis of one field takes that field's colour, so the reader knows which scale a line is on.
void PayloadChartView::styleValueAxes()
{
    for (const auto &[unit, axis] : m_valueAxes) {
        QStringList names;
        QColor color;
        for (const Plotted &plotted : m_plotted) {
            if (plotted.axis == axis) {
                names.append(m_series->field(plotted.row).label);
                color = plotted.line->pen().color();
            }
        }
        axis->setTitleText(unit.isEmpty() ? names.join(QStringLiteral(", ")) : unit);
        if (names.size() == 1) {
            axis->setLabelsColor(color);
            axis->setTitleBrush(color);
        }
    }
}

void PayloadChartView::onFrame()
{
    if (!m_paused)
        redraw(timeRange().second, false);
}

void PayloadChartView::redraw(qint64 endMs, bool force)
{
    const bool moved = endMs != m_shownEndMs;
    const qint64 fromMs = endMs - m_windowMs;
    if (moved || force) {
        m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(fromMs),
                             QDateTime::fromMSecsSinceEpoch(endMs));
        m_shownEndMs = endMs;
    }
    bool replaced = false;
    for (Plotted &plotted : m_plotted) {
        const SeriesField &field = m_series->field(plotted.row);
        // Points scroll out of the window too: a moved window redraws every series.
        if (!force && !moved && field.revision == plotted.revision)
            continue;
        const QList<QPointF> points = plotPoints(field.points, fromMs, endMs, plotColumns());
        plotted.line->replace(points);
        plotted.line->setPointsVisible(points.size() < SparsePoints);
        plotted.revision = field.revision;
        replaced = true;
    }
    if (replaced)
        rescaleValueAxes(fromMs, endMs);
    updateStatus();
}

void PayloadChartView::rescaleValueAxes(qint64 fromMs, qint64 toMs)
{
    std::map<QValueAxis *, std::pair<double, double>> ranges;
    for (const Plotted &plotted : m_plotted) {
        auto &[low, high] = ranges.try_emplace(plotted.axis, std::numeric_limits<double>::max(),
                                               std::numeric_limits<double>::lowest())
                                .first->second;
        for (const QPointF &point : plotted.line->points()) {
            if (point.x() < qreal(fromMs) || point.x() > qreal(toMs))
                continue;
            low = std::min(low, point.y());
            high = std::max(high, point.y());
        }
    }
    for (const auto &[axis, range] : ranges) {
        auto [low, high] = range;
        if (low > high) { // nothing in view
            low = 0;
            high = 1;
        }
        // A flat line sits in the middle rather than on an edge; otherwise a little headroom.
        const double margin = high > low ? (high - low) * 0.05 : std::max(std::abs(high) * 0.1, 1.0);
        axis->setRange(low - margin, high + margin);
        axis->applyNiceNumbers();
    }
}

void PayloadChartView::updateTitle()
{
    if (m_series->topicFilter().isEmpty())
        m_chart->setTitle(tr("Choose a topic to plot the numbers in its JSON payloads"));
    else if (m_series->fieldCount() == 0)
        m_chart->setTitle(tr("No numeric fields on %1 yet").arg(m_series->topicFilter()));
    else if (m_plotted.empty())
        m_chart->setTitle(tr("Tick the fields to plot"));
    else
        m_chart->setTitle(QString());
}

void PayloadChartView::updateStatus()
{
    std::size_t points = 0;
    for (int row = 0; row < m_series->fieldCount(); ++row)
        points += m_series->field(row).points.size();
    const QLocale locale;
    QString text = tr("Fields: %1").arg(m_series->fieldCount());
    if (m_series->fieldLimitReached())
        text += tr(" (the first %1; more are ignored)").arg(PayloadSeries::MaxFields);
    text += tr(", plotted: %1, points kept: %2")
                .arg(m_plotted.size())
                .arg(locale.toString(qulonglong(points)));
    if (m_paused)
        text += tr(". Paused: points are still collected");
    if (m_status->text() != text)
        m_status->setText(text);
    // A field found while no series changed still changes the empty chart's hint.
    if (m_plotted.empty())
        updateTitle();
}

bool PayloadChartView::exportPng(const QString &path, QString *error) const
{
    QSaveFile file(path);
    QString reason;
    if (file.open(QIODevice::WriteOnly)) {
        QImageWriter writer(&file, "png");
        if (writer.write(m_chartView->grab().toImage()) && file.commit())
            return true;
        reason = writer.error() == QImageWriter::UnknownError ? file.errorString() : writer.errorString();
    } else {
        reason = file.errorString();
    }
    if (error)
        *error = tr("Cannot write the chart to %1: %2").arg(path, reason);
    return false;
}

bool PayloadChartView::exportCsv(const QString &path, QString *error) const
{
    const auto [fromMs, toMs] = timeRange();
    std::vector<int> rows;
    for (const Plotted &plotted : m_plotted)
        rows.push_back(plotted.row);
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(seriesCsv(*m_series, rows, fromMs, toMs));
        if (file.commit())
            return true;
    }
    if (error)
        *error = tr("Cannot write the chart's data to %1: %2").arg(path, file.errorString());
    return false;
}

void PayloadChartView::chooseExportFile(bool png)
{
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString path = png
        ? QFileDialog::getSaveFileName(this, tr("Export chart as PNG"),
                                       QStringLiteral("chart-%1.png").arg(stamp),
                                       tr("PNG images (*.png)"))
        : QFileDialog::getSaveFileName(this, tr("Export chart data as CSV"),
                                       QStringLiteral("chart-%1.csv").arg(stamp),
                                       tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!(png ? exportPng(path, &error) : exportCsv(path, &error)))
        QMessageBox::warning(this, tr("Export failed"), error);
}

void PayloadChartView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_frame.start();
    if (!m_paused)
        redraw(timeRange().second, true);
}

void PayloadChartView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_frame.stop();
}

void PayloadChartView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // The plot's width sets how many points each series keeps per pixel.
    redraw(m_paused ? m_shownEndMs : timeRange().second, true);
}

} // namespace iotcore::ui
