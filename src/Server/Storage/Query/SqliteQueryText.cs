using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DocStore.Server.Storage.Query;

/// <summary>
/// Translates a <see cref="DocumentQuery"/> into SQLite SQL over a column of JSON text, with the rules
/// of <see cref="FilterEvaluator"/>. SQL's NULL plays undefined: SQLite's AND, OR and NOT are Kleene's,
/// like Cosmos DB's, and a WHERE keeps only true. Every caller value and every JSON path is a
/// parameter (<c>$f0</c>...); the text holds only SQL written here.
/// </summary>
internal sealed class SqliteQueryText
{
    /// <summary>The SQLite function that compares arrays and objects deeply (registered on each connection).</summary>
    public const string DeepEqualFunction = "docstore_json_equal";

    private readonly string _json;
    private readonly List<KeyValuePair<string, object>> _parameters = [];

    private SqliteQueryText(string json) => _json = json;

    /// <summary>The condition: 1, 0 or NULL (undefined) for each row.</summary>
    public string Where { get; private set; } = "1";

    /// <summary>Per ORDER BY path: an expression for the kind's rank, one for the value within the rank, and the direction.</summary>
    public IReadOnlyList<(string Rank, string Value, bool Descending)> SortKeys { get; private set; } = [];

    /// <summary>The values of <c>$f0</c>, <c>$f1</c>...: strings, doubles and integers.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Parameters => _parameters;

    /// <summary>Registers <see cref="DeepEqualFunction"/> on a connection.</summary>
    public static void RegisterFunctions(Microsoft.Data.Sqlite.SqliteConnection connection) =>
        connection.CreateFunction<string?, string?, bool>(
            DeepEqualFunction,
            static (left, right) => left is not null && right is not null && JsonOrder.DeepEquals(JsonOrder.Parse(left), JsonOrder.Parse(right)),
            isDeterministic: true);

    /// <summary>Translates <paramref name="query"/>, reading documents from the JSON text expression <paramref name="json"/>.</summary>
    public static SqliteQueryText Translate(DocumentQuery query, string json)
    {
        var result = new SqliteQueryText(json);
        if (query.Filter is not null)
        {
            result.Where = result.Expression(query.Filter);
        }

        result.SortKeys = [.. query.OrderBy.Select(key =>
        {
            var (type, value) = result.Accessors(key.Path);
            var rank = $"(CASE {type} WHEN 'null' THEN 1 WHEN 'false' THEN 2 WHEN 'true' THEN 3 WHEN 'integer' THEN 4 WHEN 'real' THEN 4 WHEN 'text' THEN 5 WHEN 'array' THEN 6 WHEN 'object' THEN 7 ELSE 0 END)";
            var within = $"(CASE WHEN {type} IN ('integer', 'real') THEN CAST({value} AS REAL) WHEN {type} = 'text' THEN {value} ELSE 0 END)";
            return (rank, within, key.Descending);
        })];
        return result;
    }

    /// <summary>The SQLite JSON path for a pointer: <c>$."a"[0]</c>, with quotes, backslashes and control characters escaped.</summary>
    public static string JsonPath(JsonPointer path)
    {
        var text = new StringBuilder("$");
        foreach (var segment in path.Segments)
        {
            if (DocumentQuery.IsArrayIndex(segment))
            {
                text.Append('[').Append(segment).Append(']');
                continue;
            }

            text.Append(".\"");
            foreach (var c in segment)
            {
                if (c is '"' or '\\' || c < 0x20)
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

        return text.ToString();
    }

    private string Expression(DocumentFilter filter) => filter switch
    {
        AllOf all => "(" + string.Join(" AND ", all.Filters.Select(Expression)) + ")",
        AnyOf any => "(" + string.Join(" OR ", any.Filters.Select(Expression)) + ")",
        NotOf not => "(NOT " + Expression(not.Filter) + ")",
        FieldCondition field => Field(field),
        _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown filter."),
    };

    private string Field(FieldCondition field)
    {
        var (type, value) = Accessors(field.Path);
        var expected = field.Value.GetValueOrDefault();
        switch (field.Operator)
        {
            case FilterOperator.Exists:
                return $"({type} IS NOT NULL)";
            case FilterOperator.Equal:
                return $"(CASE WHEN {type} IS NULL THEN NULL ELSE {Equal(type, value, expected)} END)";
            case FilterOperator.NotEqual:
                return $"(CASE WHEN {type} IS NULL THEN NULL ELSE NOT {Equal(type, value, expected)} END)";
            case FilterOperator.In:
                var candidates = string.Join(" OR ", expected.EnumerateArray().Select(candidate => Equal(type, value, candidate)));
                return $"(CASE WHEN {type} IS NULL THEN NULL ELSE ({candidates}) END)";
            case FilterOperator.ArrayContains:
                var path = Parameter(JsonPath(field.Path));
                return $"(CASE WHEN {type} = 'array' THEN EXISTS (SELECT 1 FROM json_each({_json}, {path}) e WHERE {Equal("e.type", "e.value", expected)}) ELSE NULL END)";
            case FilterOperator.StartsWith:
                var prefix = Parameter(expected.GetString()!);
                return $"(CASE WHEN {type} = 'text' THEN substr({value}, 1, length({prefix})) = {prefix} ELSE NULL END)";
            default:
                var op = field.Operator switch
                {
                    FilterOperator.LessThan => "<",
                    FilterOperator.LessThanOrEqual => "<=",
                    FilterOperator.GreaterThan => ">",
                    _ => ">=",
                };
                return expected.ValueKind switch
                {
                    JsonValueKind.Number => $"(CASE WHEN {type} IN ('integer', 'real') THEN CAST({value} AS REAL) {op} {Parameter(expected.GetDouble())} ELSE NULL END)",
                    JsonValueKind.String => $"(CASE WHEN {type} = 'text' THEN {value} {op} {Parameter(expected.GetString()!)} ELSE NULL END)",
                    JsonValueKind.True or JsonValueKind.False =>
                        $"(CASE WHEN {type} IN ('true', 'false') THEN ({type} = 'true') {op} {Parameter(expected.ValueKind == JsonValueKind.True ? 1L : 0L)} ELSE NULL END)",
                    _ => "NULL", // ranges over null, arrays and objects are undefined
                };
        }
    }

    /// <summary>1 or 0: the value whose json_type is <paramref name="type"/> equals <paramref name="expected"/> (false across types).</summary>
    private string Equal(string type, string value, JsonElement expected) => expected.ValueKind switch
    {
        JsonValueKind.Null => $"({type} = 'null')",
        JsonValueKind.True => $"({type} = 'true')",
        JsonValueKind.False => $"({type} = 'false')",
        JsonValueKind.Number => $"({type} IN ('integer', 'real') AND CAST({value} AS REAL) = {Parameter(expected.GetDouble())})",
        JsonValueKind.String => $"({type} = 'text' AND {value} = {Parameter(expected.GetString()!)})",
        JsonValueKind.Array => $"({type} = 'array' AND {DeepEqualFunction}({value}, {Parameter(expected.GetRawText())}))",
        _ => $"({type} = 'object' AND {DeepEqualFunction}({value}, {Parameter(expected.GetRawText())}))",
    };

    private (string Type, string Value) Accessors(JsonPointer path)
    {
        var parameter = Parameter(JsonPath(path));
        return ($"json_type({_json}, {parameter})", $"json_extract({_json}, {parameter})");
    }

    private string Parameter(object value)
    {
        var name = "$f" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(new(name, value));
        return name;
    }
}
