using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DocStore.Server.Storage.Query;

/// <summary>
/// Translates a <see cref="DocumentQuery"/> into Cosmos DB SQL. Paths become bracketed property
/// accessors (<c>c["address"]["city"]</c>, digit segments <c>[0]</c>) with every character outside
/// printable ASCII escaped. A query's caller values travel as parameters (<c>@p0</c>...), never in the
/// text; a patch's filter predicate, for which the SDK takes no parameters, writes them as escaped
/// JSON literals. ARRAY_CONTAINS and STARTSWITH take their default third argument (exact match,
/// case-sensitive), which is left out.
/// </summary>
internal static class CosmosQueryText
{
    /// <summary>The SELECT statement and its parameters.</summary>
    /// <param name="query">The filter and order.</param>
    /// <param name="partition">
    /// For a partition's query, its key path and value: the query names it as well as the request
    /// options do, which costs Cosmos DB nothing and keeps a peer that ignores the option correct.
    /// </param>
    public static (string Text, IReadOnlyList<KeyValuePair<string, JsonElement>> Parameters) Select(DocumentQuery query, (JsonPointer Path, string Value)? partition = null)
    {
        var parameters = new List<KeyValuePair<string, JsonElement>>();
        string Parameter(JsonElement value)
        {
            var name = "@p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add(new(name, value));
            return name;
        }

        var text = new StringBuilder("SELECT * FROM c");
        if (partition is { } key)
        {
            text.Append(" WHERE (");
            WritePath(text, key.Path);
            text.Append(" = ").Append(Parameter(JsonOrder.FromNode(System.Text.Json.Nodes.JsonValue.Create(key.Value)))).Append(')');
        }

        if (query.Filter is not null)
        {
            text.Append(partition is null ? " WHERE " : " AND ");
            Write(text, query.Filter, Parameter);
        }

        for (var i = 0; i < query.OrderBy.Count; i++)
        {
            text.Append(i == 0 ? " ORDER BY " : ", ");
            WritePath(text, query.OrderBy[i].Path);
            text.Append(query.OrderBy[i].Descending ? " DESC" : " ASC");
        }

        return (text.ToString(), parameters);
    }

    /// <summary>The filter predicate of a conditional patch: <c>FROM c WHERE ...</c>, values as escaped literals.</summary>
    public static string FilterPredicate(DocumentFilter filter)
    {
        var text = new StringBuilder("FROM c WHERE ");
        Write(text, filter, Literal);
        return text.ToString();
    }

    /// <summary>A JSON value as a Cosmos DB SQL literal that cannot end early: strings escape every quote, backslash and non-ASCII character.</summary>
    public static string Literal(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = new StringBuilder();
                WriteString(text, value.GetString()!);
                return text.ToString();
            case JsonValueKind.Number:
                return value.GetDouble().ToString("R", CultureInfo.InvariantCulture);
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Null:
                return "null";
            case JsonValueKind.Array:
                return "[" + string.Join(", ", value.EnumerateArray().Select(Literal)) + "]";
            case JsonValueKind.Object:
                var obj = new StringBuilder("{");
                foreach (var property in value.EnumerateObject())
                {
                    if (obj.Length > 1)
                    {
                        obj.Append(", ");
                    }

                    WriteString(obj, property.Name);
                    obj.Append(": ").Append(Literal(property.Value));
                }

                return obj.Append('}').ToString();
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.ValueKind, "Not a JSON value.");
        }
    }

    private static void Write(StringBuilder text, DocumentFilter filter, Func<JsonElement, string> value)
    {
        switch (filter)
        {
            case AllOf all:
                WriteJoined(text, all.Filters, " AND ", value);
                break;
            case AnyOf any:
                WriteJoined(text, any.Filters, " OR ", value);
                break;
            case NotOf not:
                text.Append("(NOT ");
                Write(text, not.Filter, value);
                text.Append(')');
                break;
            case FieldCondition field:
                WriteField(text, field, value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown filter.");
        }
    }

    private static void WriteJoined(StringBuilder text, IReadOnlyList<DocumentFilter> filters, string separator, Func<JsonElement, string> value)
    {
        text.Append('(');
        for (var i = 0; i < filters.Count; i++)
        {
            if (i > 0)
            {
                text.Append(separator);
            }

            Write(text, filters[i], value);
        }

        text.Append(')');
    }

    private static void WriteField(StringBuilder text, FieldCondition field, Func<JsonElement, string> value)
    {
        switch (field.Operator)
        {
            case FilterOperator.Exists:
                text.Append("IS_DEFINED(");
                WritePath(text, field.Path);
                text.Append(')');
                return;
            case FilterOperator.ArrayContains:
                text.Append("ARRAY_CONTAINS(");
                WritePath(text, field.Path);
                text.Append(", ").Append(value(field.Value!.Value)).Append(')');
                return;
            case FilterOperator.StartsWith:
                text.Append("STARTSWITH(");
                WritePath(text, field.Path);
                text.Append(", ").Append(value(field.Value!.Value)).Append(')');
                return;
            case FilterOperator.In:
                text.Append('(');
                WritePath(text, field.Path);
                text.Append(" IN (").AppendJoin(", ", field.Value!.Value.EnumerateArray().Select(value)).Append("))");
                return;
        }

        text.Append('(');
        WritePath(text, field.Path);
        text.Append(field.Operator switch
        {
            FilterOperator.Equal => " = ",
            FilterOperator.NotEqual => " != ",
            FilterOperator.LessThan => " < ",
            FilterOperator.LessThanOrEqual => " <= ",
            FilterOperator.GreaterThan => " > ",
            FilterOperator.GreaterThanOrEqual => " >= ",
            _ => throw new ArgumentOutOfRangeException(nameof(field), field.Operator, "Unknown operator."),
        });
        text.Append(value(field.Value!.Value)).Append(')');
    }

    /// <summary>Writes <c>c["a"]["b"][0]</c>.</summary>
    public static void WritePath(StringBuilder text, JsonPointer path)
    {
        text.Append('c');
        foreach (var segment in path.Segments)
        {
            text.Append('[');
            if (DocumentQuery.IsArrayIndex(segment))
            {
                text.Append(segment);
            }
            else
            {
                WriteString(text, segment);
            }

            text.Append(']');
        }
    }

    /// <summary>A double-quoted string literal: printable ASCII as is, quotes and backslashes escaped, everything else as \uXXXX.</summary>
    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\' or '\'' || c < 0x20 || c > 0x7E)
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        text.Append('"');
    }
}
