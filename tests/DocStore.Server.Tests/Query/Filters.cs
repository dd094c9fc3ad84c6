extern alias server;

using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Query;

namespace DocStore.Server.Tests.Query;

/// <summary>Builds the server's filter model directly, for the engine's unit tests.</summary>
internal static class Filters
{
    public static FieldCondition Field(string path, FilterOperator op, string? json) =>
        new(JsonPointer.Parse(path), op, json is null ? null : JsonOrder.Parse(json));

    public static FieldCondition Eq(string path, string json) => Field(path, FilterOperator.Equal, json);

    public static FieldCondition Ne(string path, string json) => Field(path, FilterOperator.NotEqual, json);

    public static FieldCondition Lt(string path, string json) => Field(path, FilterOperator.LessThan, json);

    public static FieldCondition Ge(string path, string json) => Field(path, FilterOperator.GreaterThanOrEqual, json);

    public static FieldCondition Gt(string path, string json) => Field(path, FilterOperator.GreaterThan, json);

    public static FieldCondition In(string path, string json) => Field(path, FilterOperator.In, json);

    public static FieldCondition Contains(string path, string json) => Field(path, FilterOperator.ArrayContains, json);

    public static FieldCondition StartsWith(string path, string json) => Field(path, FilterOperator.StartsWith, json);

    public static FieldCondition Exists(string path) => Field(path, FilterOperator.Exists, null);

    public static AllOf All(params DocumentFilter[] filters) => new(filters);

    public static AnyOf Any(params DocumentFilter[] filters) => new(filters);

    public static NotOf Not(DocumentFilter filter) => new(filter);

    public static DocumentQuery Where(DocumentFilter? filter, params SortKey[] orderBy) => new(filter, orderBy);

    public static SortKey Asc(string path) => new(JsonPointer.Parse(path), false);

    public static SortKey Desc(string path) => new(JsonPointer.Parse(path), true);

    /// <summary>
    /// Documents built to hit each rule: mixed types, missing properties, nulls, nested paths, arrays,
    /// and both spellings of "café" (precomposed U+00E9, and e with a combining acute accent).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Corpus = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["num10"] = """{"v":10,"s":"open","tags":["a","b"],"o":{"c":"Oslo"},"score":2}""",
        ["num10f"] = """{"v":10.0,"s":"Open","tags":["A"],"score":3}""",
        ["str10"] = """{"v":"10","s":"opening","tags":"a"}""",
        ["null"] = """{"v":null,"s":null,"tags":[null]}""",
        ["missing"] = """{"score":2}""",
        ["true"] = """{"v":true,"tags":[true,1]}""",
        ["false"] = """{"v":false,"tags":[{"k":1,"j":"x"}]}""",
        ["arr"] = """{"v":[1,2],"tags":[[1,2]]}""",
        ["obj"] = """{"v":{"k":1}}""",
        ["cafe1"] = "{\"s\":\"caf\u00e9\"}",
        ["cafe2"] = "{\"s\":\"cafe\u0301\"}",
        ["big"] = """{"v":2.5,"s":"zz"}""",
        ["nested"] = """{"a":{"b":[{"c":5}]},"w\"e\\ird":1,"x.y":2,"[0]":3}""",
    };

    /// <summary>The documents the reference evaluator keeps, by id, in id order.</summary>
    public static string[] Evaluate(DocumentFilter? filter) =>
        [.. Corpus.Where(d => FilterEvaluator.Matches(filter, JsonOrder.Parse(d.Value))).Select(d => d.Key).Order(StringComparer.Ordinal)];

    /// <summary>The reference order: the sort keys by <see cref="JsonOrder.CompareForSort"/>, then the id, each in its key's direction.</summary>
    public static string[] EvaluateOrder(DocumentQuery query)
    {
        var documents = Corpus.Where(d => FilterEvaluator.Matches(query.Filter, JsonOrder.Parse(d.Value))).ToList();
        var lastDescending = query.OrderBy.Count > 0 && query.OrderBy[^1].Descending;
        documents.Sort((x, y) =>
        {
            var a = JsonOrder.Parse(x.Value);
            var b = JsonOrder.Parse(y.Value);
            foreach (var key in query.OrderBy)
            {
                var order = JsonOrder.CompareForSort(JsonOrder.Resolve(a, key.Path), JsonOrder.Resolve(b, key.Path));
                if (order != 0)
                {
                    return key.Descending ? -order : order;
                }
            }

            var byId = string.CompareOrdinal(x.Key, y.Key);
            return lastDescending ? -byId : byId;
        });
        return [.. documents.Select(d => d.Key)];
    }
}
