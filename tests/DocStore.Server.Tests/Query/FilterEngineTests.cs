extern alias server;

using server::DocStore.Server.Storage.Query;
using static DocStore.Server.Tests.Query.Filters;

namespace DocStore.Server.Tests.Query;

/// <summary>
/// Each rule of Cosmos DB's filter semantics, on the reference evaluator and on the SQLite translation
/// run by a real SQLite, against the same expected documents.
/// </summary>
public sealed class FilterEngineTests(SqliteCorpus sqlite) : IClassFixture<SqliteCorpus>
{
    public static TheoryData<string, object, string> Rules => new()
    {
        { "numbers compare as doubles: 10 equals 10.0, not \"10\"", Eq("/v", "10"), "num10 num10f" },
        { "!= across types is true, and a missing property is undefined", Ne("/v", "10"), "arr big false null obj str10 true" },
        { "NOT undefined is undefined: not(v = 1) skips documents without v", Not(Eq("/v", "10")), "arr big false null obj str10 true" },
        { "false AND undefined is false, so its negation matches", Not(All(Eq("/missing", "1"), Eq("/score", "2"))), "num10f" },
        { "true OR undefined is true", Any(Eq("/v", "10"), Eq("/missing", "1")), "num10 num10f" },
        { "false OR undefined is undefined, and so is its negation", Not(Any(Eq("/v", "2.5"), Eq("/missing", "1"))), "" },
        { "true AND undefined is undefined", All(Eq("/v", "10"), Eq("/missing", "1")), "" },
        { "null = null is true; a null property is defined", Eq("/v", "null"), "null" },
        { "IN [null] matches explicit nulls", In("/v", "[null]"), "null" },
        { "IN is equality with each value", In("/v", """[10, "10"]"""), "num10 num10f str10" },
        { "cross-type = is false", Eq("/v", "\"10\""), "str10" },
        { "!= null is true for any other defined value", Ne("/s", "null"), "cafe1 cafe2 big num10 num10f str10" },
        { "strings compare ordinally and case-sensitively", Lt("/s", "\"p\""), "cafe1 cafe2 num10 num10f str10" },
        { "range across types is undefined", Gt("/v", "5"), "num10 num10f" },
        { "a string range skips numbers", Gt("/v", "\"1\""), "str10" },
        { "booleans order false before true", Ge("/v", "true"), "true" },
        { "a boolean range skips other types", Lt("/v", "true"), "false" },
        { "no Unicode normalisation: precomposed café", Eq("/s", "\"caf\u00e9\""), "cafe1" },
        { "no Unicode normalisation: decomposed café", Eq("/s", "\"cafe\u0301\""), "cafe2" },
        { "STARTS_WITH is case-sensitive", StartsWith("/s", "\"open\""), "num10 str10" },
        { "STARTS_WITH sees both spellings of a shared prefix", StartsWith("/s", "\"caf\""), "cafe1 cafe2" },
        { "STARTS_WITH on a non-string is undefined", Not(StartsWith("/v", "\"1\"")), "" },
        { "ARRAY_CONTAINS matches a whole element of the same type", Contains("/tags", "\"a\""), "num10" },
        { "ARRAY_CONTAINS null", Contains("/tags", "null"), "null" },
        { "ARRAY_CONTAINS a number is not a boolean", Contains("/tags", "1"), "true" },
        { "ARRAY_CONTAINS a boolean", Contains("/tags", "true"), "true" },
        { "ARRAY_CONTAINS an object equal to an element, in any property order", Contains("/tags", """{"j":"x","k":1}"""), "false" },
        { "ARRAY_CONTAINS an object is not a partial match", Contains("/tags", """{"k":1}"""), "" },
        { "ARRAY_CONTAINS an array element", Contains("/tags", "[1,2]"), "arr" },
        { "ARRAY_CONTAINS on a non-array is undefined, and so is its negation", Not(Contains("/tags", "\"a\"")), "arr false null num10f true" },
        { "EXISTS is true for null values", Exists("/v"), "arr big false null num10 num10f obj str10 true" },
        { "NOT EXISTS is never undefined", Not(Exists("/v")), "cafe1 cafe2 missing nested" },
        { "nested paths through arrays", Eq("/a/b/0/c", "5"), "nested" },
        { "a digit segment indexes an array", Eq("/tags/0", "\"a\""), "num10" },
        { "an index past the end is undefined", Exists("/tags/5"), "" },
        { "a digit segment does not name an object property", Exists("/o/0"), "" },
        { "property names with quotes and backslashes", Eq("/w\"e\\ird", "1"), "nested" },
        { "property names with dots", Eq("/x.y", "2"), "nested" },
        { "property names with brackets", Eq("/[0]", "3"), "nested" },
        { "a path through a scalar is undefined", Exists("/v/x"), "" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rule_holds_on_every_translation(string rule, object filter, string expected)
    {
        var want = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        Assert.True(want.SequenceEqual(Evaluate((DocumentFilter)filter)), $"{rule}: evaluator gave [{string.Join(' ', Evaluate((DocumentFilter)filter))}]");
        Assert.True(want.SequenceEqual(sqlite.Evaluate((DocumentFilter)filter)), $"{rule}: SQLite gave [{string.Join(' ', sqlite.Evaluate((DocumentFilter)filter))}]");
    }

    [Fact]
    public void Order_by_sorts_undefined_null_false_true_numbers_strings_arrays_objects()
    {
        string[] ascending = ["cafe1", "cafe2", "missing", "nested", "null", "false", "true", "big", "num10", "num10f", "str10", "arr", "obj"];
        Assert.Equal(ascending, EvaluateOrder(Where(null, Asc("/v"))));
        Assert.Equal(ascending, sqlite.Run(Where(null, Asc("/v"))));
    }

    [Fact]
    public void Descending_order_is_the_exact_reverse()
    {
        var ascending = sqlite.Run(Where(null, Asc("/v")));
        Assert.Equal(ascending.Reverse(), sqlite.Run(Where(null, Desc("/v"))));
        Assert.Equal(ascending.Reverse(), EvaluateOrder(Where(null, Desc("/v"))));
    }

    [Fact]
    public void Strings_order_by_code_point_with_two_keys()
    {
        var query = Where(Exists("/s"), Asc("/s"), Desc("/score"));
        string[] expected = ["null", "num10f", "cafe2", "cafe1", "num10", "str10", "big"];
        Assert.Equal(expected, EvaluateOrder(query));
        Assert.Equal(expected, sqlite.Run(query));
    }

    /// <summary>
    /// Random filters over the corpus: the SQLite translation keeps exactly the documents the reference
    /// evaluator keeps. The seed is fixed, so a failure repeats.
    /// </summary>
    [Fact]
    public void Random_filters_agree_with_the_reference()
    {
        var random = new Random(20261203);
        string[] paths = ["/v", "/s", "/tags", "/score", "/missing", "/tags/0", "/o/c", "/a/b/0/c"];
        string[] values = ["10", "10.0", "\"10\"", "null", "true", "false", "\"open\"", "\"a\"", "2.5", "\"caf\u00e9\"", "2", "\"Oslo\""];
        DocumentFilter Next(int depth)
        {
            var pick = random.Next(depth >= 3 ? 6 : 9);
            var path = paths[random.Next(paths.Length)];
            var value = values[random.Next(values.Length)];
            return pick switch
            {
                0 => Eq(path, value),
                1 => Ne(path, value),
                2 => Field(path, (FilterOperator)random.Next(2, 6), value is "null" ? "1" : value),
                3 => In(path, $"[{value}, {values[random.Next(values.Length)]}]"),
                4 => random.Next(2) == 0 ? Contains(path, value) : StartsWith(path, "\"o\""),
                5 => Exists(path),
                6 => All(Next(depth + 1), Next(depth + 1)),
                7 => Any(Next(depth + 1), Next(depth + 1), Next(depth + 1)),
                _ => Not(Next(depth + 1)),
            };
        }

        for (var i = 0; i < 2000; i++)
        {
            var filter = Next(0);
            Assert.True(Evaluate(filter).SequenceEqual(sqlite.Evaluate(filter)), $"Case {i}: {filter}: evaluator [{string.Join(' ', Evaluate(filter))}], SQLite [{string.Join(' ', sqlite.Evaluate(filter))}]");
        }
    }
}
