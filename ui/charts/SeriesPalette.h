#pragma once

// The colour of a field's line: by its row, so a field keeps its colour while others are
// ticked and unticked, and the field list can show the same colour as the chart. Distinct
// colours that read on a projector (the Tableau 10 palette).

#include <QColor>

#include <array>

namespace iotcore::ui {

inline QColor seriesColor(int row)
{
    static constexpr std::array<QRgb, 10> Palette{
        0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd,
        0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f,
    };
    return QColor::fromRgb(Palette[std::size_t(row) % Palette.size()]);
}

} // namespace iotcore::ui
