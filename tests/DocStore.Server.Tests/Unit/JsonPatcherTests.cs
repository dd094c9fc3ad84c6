extern alias server;

using System.Text.Json.Nodes;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Embedded;

namespace DocStore.Server.Tests.Unit;

public sealed class JsonPatcherTests
{
    private static DocumentPatchOperation Op(PatchOperationKind kind, string path, JsonNode? value = null, string? from = null) =>
        new(kind, JsonPointer.Parse(path), value, from is null ? null : JsonPointer.Parse(from));

    private static (string? Error, string Json) Apply(string json, params DocumentPatchOperation[] operations)
    {
        var document = JsonNode.Parse(json)!.AsObject();
        var error = JsonPatcher.Apply(document, operations);
        return (error, document.ToJsonString());
    }

    [Fact]
    public void A_whole_number_increment_keeps_an_integer_an_integer()
    {
        // Near 2^53 a double prints in exponent form (9.007199254740002E+15), so the text tells them apart.
        var (error, json) = Apply("""{"n":9007199254740000}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(2L)));
        Assert.Null(error);
        Assert.Equal("""{"n":9007199254740002}""", json);
    }

    [Fact]
    public void An_integer_sum_at_minus_2_to_the_53_stays_an_integer() =>
        Assert.Equal((null, """{"n":-9007199254740992}"""), Apply("""{"n":-9007199254740991}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(-1L))));

    [Theory]
    [InlineData("""{"n":-9007199254740992}""", -1L, "-9007199254740993")]
    [InlineData("""{"n":-9223372036854775808}""", -1L, "-9223372036854775809")]
    public void Integer_sums_past_the_exact_range_become_doubles(string json, long by, string exactSum)
    {
        var (error, result) = Apply(json, Op(PatchOperationKind.Increment, "/n", JsonValue.Create(by)));
        Assert.Null(error);
        Assert.DoesNotContain(exactSum, result, StringComparison.Ordinal); // an integer no double can show
        Assert.True(JsonNode.Parse(result)!["n"]!.GetValue<double>() <= double.Parse(exactSum, System.Globalization.CultureInfo.InvariantCulture) + 1);
    }

    [Fact]
    public void A_whole_number_added_to_a_double_stays_a_double() =>
        Assert.Equal((null, """{"n":2.5}"""), Apply("""{"n":1.5}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(1L))));

    [Fact]
    public void A_fractional_increment_makes_a_double()
    {
        var (_, json) = Apply("""{"n":5}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(0.25)));
        Assert.Equal("""{"n":5.25}""", json);
    }

    [Fact]
    public void An_increment_that_overflows_a_64_bit_integer_continues_as_a_double()
    {
        var (error, json) = Apply("""{"n":9223372036854775807}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(1L)));
        Assert.Null(error);
        Assert.Equal(9.223372036854775807e18, JsonNode.Parse(json)!["n"]!.GetValue<double>());
    }

    [Fact]
    public void An_integer_sum_stays_an_integer_up_to_2_to_the_53_and_becomes_a_double_past_it()
    {
        Assert.Equal("""{"n":9007199254740992}""", Apply("""{"n":9007199254740991}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(1L))).Json);

        var (_, json) = Apply("""{"n":9007199254740992}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(1L)));
        Assert.Equal(9007199254740992d, JsonNode.Parse(json)!["n"]!.GetValue<double>());
        Assert.DoesNotContain("9007199254740993", json, StringComparison.Ordinal); // an exact integer no double can show
    }

    [Fact]
    public void A_failing_operation_names_its_position_and_path()
    {
        var (error, _) = Apply(
            """{"a":1}""",
            Op(PatchOperationKind.Set, "/b", JsonValue.Create(1L)),
            Op(PatchOperationKind.Remove, "/missing"));
        Assert.NotNull(error);
        Assert.StartsWith("operation 1 (remove '/missing')", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_is_copied_so_one_operation_can_apply_twice()
    {
        var value = new JsonObject { ["x"] = 1 };
        var (error, json) = Apply("""{}""", Op(PatchOperationKind.Set, "/a", value), Op(PatchOperationKind.Set, "/b", value));
        Assert.Null(error);
        Assert.Equal("""{"a":{"x":1},"b":{"x":1}}""", json);
    }

    [Fact]
    public void Moving_a_value_onto_itself_leaves_the_document_as_it_was_but_needs_the_source()
    {
        Assert.Equal((null, """{"a":1}"""), Apply("""{"a":1}""", Op(PatchOperationKind.Move, "/a", from: "/a")));
        Assert.NotNull(Apply("""{"a":1}""", Op(PatchOperationKind.Move, "/b", from: "/b")).Error);
    }

    [Fact]
    public void Paths_through_arrays_reach_nested_objects()
    {
        var (error, json) = Apply("""{"lines":[{"q":1},{"q":2}]}""", Op(PatchOperationKind.Increment, "/lines/1/q", JsonValue.Create(3L)));
        Assert.Null(error);
        Assert.Equal("""{"lines":[{"q":1},{"q":5}]}""", json);
    }

    [Fact]
    public void Null_in_the_middle_of_a_path_is_an_absent_parent()
    {
        var (error, _) = Apply("""{"a":null}""", Op(PatchOperationKind.Set, "/a/b", JsonValue.Create(1L)));
        Assert.Contains("'/a' does not exist", error, StringComparison.Ordinal);
    }

    [Theory]
    // Set at an index equal to the length appends; below it, it replaces; add inserts.
    [InlineData("Set", "/a/2", """{"a":[1,2,9],"b":0}""")]
    [InlineData("Set", "/a/1", """{"a":[1,9],"b":0}""")]
    [InlineData("Set", "/a/0", """{"a":[9,2],"b":0}""")]
    [InlineData("Add", "/a/1", """{"a":[1,9,2],"b":0}""")]
    [InlineData("Add", "/a/2", """{"a":[1,2,9],"b":0}""")]
    [InlineData("Add", "/a/-", """{"a":[1,2,9],"b":0}""")]
    [InlineData("Set", "/a/-", """{"a":[1,2,9],"b":0}""")]
    [InlineData("Replace", "/a/1", """{"a":[1,9],"b":0}""")]
    [InlineData("Increment", "/a/0", """{"a":[10,2],"b":0}""")]
    [InlineData("Remove", "/a/0", """{"a":[2],"b":0}""")]
    [InlineData("Remove", "/a/1", """{"a":[1],"b":0}""")]
    [InlineData("Replace", "/b", """{"a":[1,2],"b":9}""")]
    [InlineData("Increment", "/b", """{"a":[1,2],"b":9}""")]
    [InlineData("Increment", "/c", """{"a":[1,2],"b":0,"c":9}""")]
    public void Operations_on_array_indexes_and_properties(string kind, string path, string expected)
    {
        Assert.Equal((null, expected), Apply("""{"a":[1,2],"b":0}""", Op(Enum.Parse<PatchOperationKind>(kind), path, JsonValue.Create(9L))));
    }

    [Theory]
    [InlineData("Set", "/a/3", "operation 0 (set '/a/3'): '3' is not an index of an array of 2 (use '-' to append)")]
    [InlineData("Add", "/a/01", "operation 0 (add '/a/01'): '01' is not an index of an array of 2 (use '-' to append)")]
    [InlineData("Set", "/a/", "operation 0 (set '/a/'): '' is not an index of an array of 2 (use '-' to append)")]
    [InlineData("Set", "/a/x", "operation 0 (set '/a/x'): 'x' is not an index of an array of 2 (use '-' to append)")]
    [InlineData("Set", "/a/1/", "operation 0 (set '/a/1/'): '/a/1' is neither an object nor an array")]
    [InlineData("Set", "/a/9999999999", "operation 0 (set '/a/9999999999'): '9999999999' is not an index of an array of 2 (use '-' to append)")]
    [InlineData("Set", "/a/123456789", "operation 0 (set '/a/123456789'): '123456789' is not an index of an array of 2 (use '-' to append)")]
    [InlineData("Replace", "/a/2", "operation 0 (replace '/a/2'): '2' is not an index of an array of 2")]
    [InlineData("Replace", "/a/9999999999", "operation 0 (replace '/a/9999999999'): '9999999999' is not an index of an array of 2")]
    [InlineData("Remove", "/a/2", "operation 0 (remove '/a/2'): '2' is not an index of an array of 2")]
    [InlineData("Increment", "/a/2", "operation 0 (increment '/a/2'): '2' is not an index of an array of 2")]
    [InlineData("Replace", "/b", "operation 0 (replace '/b'): the property does not exist")]
    [InlineData("Remove", "/b", "operation 0 (remove '/b'): the property does not exist")]
    [InlineData("Increment", "/s", "operation 0 (increment '/s'): the value is not a number")]
    [InlineData("Increment", "/a", "operation 0 (increment '/a'): the value is not a number")]
    [InlineData("Set", "/lines/5/q", "operation 0 (set '/lines/5/q'): '/lines/5' does not exist (parents are not created)")]
    [InlineData("Set", "/lines/1/q", "operation 0 (set '/lines/1/q'): '/lines/1' does not exist (parents are not created)")]
    [InlineData("Set", "/lines/x/q", "operation 0 (set '/lines/x/q'): '/lines/x' does not exist (parents are not created)")]
    [InlineData("Set", "/m~0n/x~1y/q", "operation 0 (set '/m~0n/x~1y/q'): '/m~0n/x~1y' does not exist (parents are not created)")]
    [InlineData("Set", "/s/q", "operation 0 (set '/s/q'): '/s' is neither an object nor an array")]
    public void Operations_that_cannot_apply_say_why(string kind, string path, string message)
    {
        var (error, _) = Apply("""{"a":[1,2],"s":"text","lines":[{"q":1}],"m~n":{"x/y":null}}""", Op(Enum.Parse<PatchOperationKind>(kind), path, JsonValue.Create(1L)));
        Assert.Equal(message, error);
    }

    [Fact]
    public void A_path_through_an_array_element_that_is_null_is_an_absent_parent()
    {
        var (error, _) = Apply("""{"lines":[null]}""", Op(PatchOperationKind.Set, "/lines/0/q", JsonValue.Create(1L)));
        Assert.Equal("operation 0 (set '/lines/0/q'): '/lines/0' does not exist (parents are not created)", error);
    }

    [Fact]
    public void An_increment_whose_result_is_not_finite_is_refused()
    {
        var (error, _) = Apply("""{"n":1.5e308}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(1.5e308)));
        Assert.Equal("operation 0 (increment '/n'): the result is out of range", error);
    }

    [Theory]
    [InlineData("/a", "/list/1", """{"list":[0,1,2]}""")]
    [InlineData("/a", "/list/2", """{"list":[0,2,1]}""")]
    [InlineData("/list/0", "/list/1", """{"a":1,"list":[2,0]}""")]
    [InlineData("/list/1", "/b", """{"a":1,"list":[0],"b":2}""")]
    [InlineData("/list/1", "/list/1", """{"a":1,"list":[0,2]}""")]
    public void Move_takes_the_value_out_and_inserts_it_at_the_path(string from, string path, string expected) =>
        Assert.Equal((null, expected), Apply("""{"a":1,"list":[0,2]}""", Op(PatchOperationKind.Move, path, from: from)));

    [Theory]
    [InlineData("/missing", "/b", "operation 0 (move '/b'): 'from' the property does not exist")]
    [InlineData("/list/2", "/b", "operation 0 (move '/b'): 'from' '2' is not an index of an array of 2")]
    [InlineData("/a", "/list/3", "operation 0 (move '/list/3'): '3' is not an index of an array of 2 (use '-' to append)")]
    [InlineData("/list/2", "/list/2", "operation 0 (move '/list/2'): the 'from' location does not exist")]
    [InlineData("/list/x", "/list/x", "operation 0 (move '/list/x'): the 'from' location does not exist")]
    [InlineData("/a/x", "/a/x", "operation 0 (move '/a/x'): '/a' is neither an object nor an array")]
    public void A_move_that_cannot_apply_says_why(string from, string path, string message) =>
        Assert.Equal(message, Apply("""{"a":1,"list":[0,2]}""", Op(PatchOperationKind.Move, path, from: from)).Error);

    [Fact]
    public void A_long_path_is_quoted_short_in_the_error()
    {
        var path = "/" + new string('p', 100);
        var (error, _) = Apply("""{}""", Op(PatchOperationKind.Remove, path));
        Assert.Equal($"operation 0 (remove '{path[..64]}…' (101 characters)): the property does not exist", error);
    }
}
