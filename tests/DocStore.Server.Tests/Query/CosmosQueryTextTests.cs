extern alias server;

using System.Text.Json;
using System.Text.RegularExpressions;
using server::DocStore.Server.Storage.Query;
using static DocStore.Server.Tests.Query.Filters;

namespace DocStore.Server.Tests.Query;

/// <summary>
/// The Cosmos DB SQL translation: the shape of the text, caller values only in parameters, and
/// injection through paths and (for the filter predicate) through values.
/// </summary>
public sealed partial class CosmosQueryTextTests
{
    private const string Injection = "x\"] OR true OR c[\"y' OR 1=1 --\\\n)";

    [Fact]
    public void A_query_puts_every_value_in_a_parameter()
    {
        var query = Where(All(Eq("/status", "\"open\""), Gt("/total", "10"), In("/tags/0", """["a", null]"""), Not(Exists("/deleted")), StartsWith("/name", "\"b\""), Contains("/lines", """{"sku":"x"}""")),
            Asc("/total"), Desc("/address/city"));
        var (text, parameters) = CosmosQueryText.Select(query);
        Assert.Equal(
            """SELECT * FROM c WHERE ((c["status"] = @p0) AND (c["total"] > @p1) AND (c["tags"][0] IN (@p2, @p3)) AND (NOT IS_DEFINED(c["deleted"])) AND STARTSWITH(c["name"], @p4) AND ARRAY_CONTAINS(c["lines"], @p5)) ORDER BY c["total"] ASC, c["address"]["city"] DESC""",
            text);
        Assert.Equal(["@p0", "@p1", "@p2", "@p3", "@p4", "@p5"], parameters.Select(p => p.Key));
        Assert.Equal("\"open\"", parameters[0].Value.GetRawText());
        Assert.Equal(JsonValueKind.Null, parameters[3].Value.ValueKind);
        Assert.Equal("""{"sku":"x"}""", parameters[5].Value.GetRawText());
    }

    [Fact]
    public void A_partition_query_names_the_partition_key_as_a_parameter()
    {
        var (text, parameters) = CosmosQueryText.Select(Where(Eq("/a", "1")), (server::DocStore.Server.Storage.JsonPointer.Parse("/customer/id"), Injection));
        Assert.Equal("""SELECT * FROM c WHERE (c["customer"]["id"] = @p0) AND (c["a"] = @p1)""", text);
        Assert.Equal(Injection, parameters[0].Value.GetString());
    }

    [Fact]
    public void A_value_never_enters_the_query_text()
    {
        var (text, parameters) = CosmosQueryText.Select(Where(Eq("/a", JsonSerializer.Serialize(Injection))));
        Assert.Equal("""SELECT * FROM c WHERE (c["a"] = @p0)""", text);
        Assert.Equal(Injection, parameters[0].Value.GetString());
    }

    [Fact]
    public void A_path_cannot_leave_its_property_accessor()
    {
        var (text, _) = CosmosQueryText.Select(Where(Eq("/" + Injection.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), "1"), Asc("/" + Injection)));
        Assert.Equal("""SELECT * FROM c WHERE (c[] = @p0) ORDER BY c[] ASC""", StripLiterals(text));
        Assert.Equal(Injection, Literals(text).First());
    }

    [Fact]
    public void A_filter_predicate_escapes_every_literal()
    {
        var predicate = CosmosQueryText.FilterPredicate(Any(Eq("/a", JsonSerializer.Serialize(Injection)), StartsWith("/b", "\"caf\u00e9 \\u2028\""), In("/c", $"[1.5, {JsonSerializer.Serialize(Injection)}]")));
        Assert.Equal("""FROM c WHERE ((c[] = ) OR STARTSWITH(c[], ) OR (c[] IN (1.5, )))""", StripLiterals(predicate));
        Assert.Equal(["a", Injection, "b", "caf\u00e9 \u2028", "c", Injection], Literals(predicate));
        Assert.DoesNotContain('\'', predicate);
        Assert.DoesNotContain('\n', predicate);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("-0.5", "-0.5")]
    [InlineData("1e300", "1E+300")]
    [InlineData("""{"k":"v\"","n":[1,false]}""", """{"k": "v\u0022", "n": [1, false]}""")]
    public void Literals_are_written_as_Cosmos_SQL_reads_them(string json, string literal) =>
        Assert.Equal(literal, CosmosQueryText.Literal(JsonDocument.Parse(json).RootElement));

    /// <summary>The text with every double-quoted literal emptied: what remains is SQL that DocStore wrote.</summary>
    private static string StripLiterals(string text) => StringLiteral().Replace(text, "");

    /// <summary>The decoded double-quoted literals of <paramref name="text"/>, in order.</summary>
    private static string[] Literals(string text) =>
        [.. StringLiteral().Matches(text).Select(m => JsonSerializer.Deserialize<string>(m.Value)!)];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();
}
