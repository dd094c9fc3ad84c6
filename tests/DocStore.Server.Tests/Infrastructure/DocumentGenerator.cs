using System.Globalization;
using System.Text;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// Random JSON documents for property tests, written as text so that the spelling of numbers and
/// strings varies as real callers' does: integers past 2^53, <c>-0</c>, exponents in either case,
/// fractions, escapes (<c>\n</c>, <c>\u00e9</c>, escaped surrogate pairs) beside raw UTF-8, empty
/// names, whitespace between tokens, and chains nested to exactly the 32-level limit.
/// </summary>
public sealed class DocumentGenerator(int seed)
{
    private const int MaxLevels = 32;

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "42", "9007199254740992", "9007199254740993", "-9007199254740993", "18446744073709551615",
        "123456789012345678901234567890", "1e300", "1E-300", "-2.5e+10", "1.5", "0.1", "-0.0", "3.14159265358979", "5e-324",
        "1.7976931348623157e308", "4.9E-324", "100000000000000000000", "0.30000000000000004", "2E3", "1.0",
    ];

    private static readonly string[] Pieces = ["a", "Z", " ", "é", "日本", "😀", "\"", "\\", "/", "\n", "\t", "\u0001", "<b>", "&", "\u2028", "~1"];

    private readonly Random _random = new(seed);

    /// <summary>A document with <c>id</c> and <c>pk</c> strings at the root, as JSON text.</summary>
    public string Document(string id, string partitionKey, int targetProperties = 12)
    {
        var json = new StringBuilder();
        json.Append('{');
        Space(json);
        json.Append("\"id\":");
        Space(json);
        AppendString(json, id);
        json.Append(",\"pk\":");
        AppendString(json, partitionKey);
        var names = new HashSet<string>(StringComparer.Ordinal) { "id", "pk" };
        for (var i = 0; i < targetProperties; i++)
        {
            json.Append(',');
            Space(json);
            AppendName(json, names);
            json.Append(':');
            Space(json);
            if (i == 0 && _random.Next(4) == 0)
            {
                Chain(json, MaxLevels - 1);
            }
            else
            {
                AppendValue(json, level: 1);
            }
        }

        json.Append('}');
        return json.ToString();
    }

    /// <summary>Objects and arrays nested <paramref name="levels"/> deep below the current level.</summary>
    private void Chain(StringBuilder json, int levels)
    {
        for (var i = 0; i < levels; i++)
        {
            json.Append(i % 2 == 0 ? "{\"c\":" : "[");
        }

        json.Append(Numbers[_random.Next(Numbers.Length)]);
        for (var i = levels - 1; i >= 0; i--)
        {
            json.Append(i % 2 == 0 ? '}' : ']');
        }
    }

    private void AppendValue(StringBuilder json, int level)
    {
        var choice = _random.Next(level >= MaxLevels - 1 ? 6 : 9);
        switch (choice)
        {
            case 0:
                json.Append("null");
                break;
            case 1:
                json.Append(_random.Next(2) == 0 ? "true" : "false");
                break;
            case 2 or 3:
                json.Append(Numbers[_random.Next(Numbers.Length)]);
                break;
            case 4:
                json.Append(RandomDouble().ToString("R", CultureInfo.InvariantCulture));
                break;
            case 5:
                AppendString(json, RandomText());
                break;
            case 6 or 7:
                json.Append('{');
                var names = new HashSet<string>(StringComparer.Ordinal);
                var count = _random.Next(5);
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        json.Append(',');
                    }

                    Space(json);
                    AppendName(json, names);
                    json.Append(':');
                    AppendValue(json, level + 1);
                }

                json.Append('}');
                break;
            default:
                json.Append('[');
                var items = _random.Next(5);
                for (var i = 0; i < items; i++)
                {
                    if (i > 0)
                    {
                        json.Append(',');
                        Space(json);
                    }

                    AppendValue(json, level + 1);
                }

                json.Append(']');
                break;
        }
    }

    private double RandomDouble() => _random.Next(3) switch
    {
        0 => _random.NextDouble() * Math.Pow(10, _random.Next(-20, 20)) * (_random.Next(2) == 0 ? 1 : -1),
        1 => _random.Next(-1_000_000, 1_000_000),
        _ => BitConverter.Int64BitsToDouble(_random.NextInt64(0, 0x7FEFFFFFFFFFFFFF)) * (_random.Next(2) == 0 ? 1 : -1),
    };

    private void AppendName(StringBuilder json, HashSet<string> names)
    {
        string name;
        do
        {
            name = _random.Next(10) == 0 ? "" : RandomText();
        }
        while (!names.Add(name) || name is "id" or "pk" || name.StartsWith('_'));

        AppendString(json, name);
    }

    private string RandomText()
    {
        var text = new StringBuilder();
        var pieces = _random.Next(6);
        for (var i = 0; i < pieces; i++)
        {
            text.Append(_random.Next(3) == 0 ? Pieces[_random.Next(Pieces.Length)] : ((char)('a' + _random.Next(26))).ToString());
        }

        return text.ToString();
    }

    /// <summary>Writes a JSON string, escaping some characters that need no escape and all that do.</summary>
    private void AppendString(StringBuilder json, string text)
    {
        json.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"':
                    json.Append("\\\"");
                    break;
                case '\\':
                    json.Append("\\\\");
                    break;
                case '\n':
                    json.Append("\\n");
                    break;
                case '\t':
                    json.Append(_random.Next(2) == 0 ? "\\t" : "\\u0009");
                    break;
                case < ' ':
                    json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                case '/' when _random.Next(2) == 0:
                    json.Append("\\/");
                    break;
                default:
                    if (c > 127 && _random.Next(3) == 0)
                    {
                        json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                        if (char.IsHighSurrogate(c))
                        {
                            json.Append(CultureInfo.InvariantCulture, $"\\u{(int)text[++i]:x4}");
                        }
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        json.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        json.Append('"');
    }

    private void Space(StringBuilder json)
    {
        if (_random.Next(4) == 0)
        {
            json.Append(_random.Next(2) == 0 ? " " : "\n  ");
        }
    }
}
