#pragma once

// A small, safe arithmetic expression over the values of other sensors:
//
//   80 - 1.5 * (temperature - 20)        clamp(track.speed * 3.6, 0, 130)
//
// Numbers, names (a sensor, or a GPS sensor's field as `track.speed`), + - * / ^ (power, right
// associative and above unary minus: -2^2 is -4), parentheses, and the functions min(a, b, ...),
// max(a, b, ...), abs(x), clamp(x, lo, hi), sin(x), cos(x) (radians), sqrt(x), round(x) and
// round(x, decimals). Nothing else: no assignment, no loops, no calls out. Parsed once into
// postfix code that evaluate() runs on a small stack. A result that is not a number (sqrt(-1),
// 0/0) is NaN.

#include <QString>
#include <QStringList>

#include <optional>
#include <span>
#include <vector>

namespace iotcore::sim {

class Expression
{
public:
    // Nothing, with a reason such as `unexpected ")" at character 7` in `error`, when `text` is
    // not an expression.
    static std::optional<Expression> parse(const QString &text, QString *error);

    // The names the expression reads, each once, in order of first use; evaluate() takes their
    // values in this order.
    const QStringList &variables() const { return m_variables; }
    double evaluate(std::span<const double> variables) const;

private:
    enum class Code : quint8 {
        Number, Variable, Add, Subtract, Multiply, Divide, Power, Negate,
        Min, Max, Abs, Clamp, Sin, Cos, Sqrt, Round,
    };
    struct Instruction
    {
        Code code;
        int operand;  // Variable: its index; Min, Max, Round: the number of arguments
        double number; // Number: its value
    };

    class Parser;

    std::vector<Instruction> m_code;
    QStringList m_variables;
};

} // namespace iotcore::sim
