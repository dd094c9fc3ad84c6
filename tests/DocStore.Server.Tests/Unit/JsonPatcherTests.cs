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
        var (error, json) = Apply("""{"n":5}""", Op(PatchOperationKind.Increment, "/n", JsonValue.Create(2L)));
        Assert.Null(error);
        Assert.Equal("""{"n":7}""", json);
    }

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
}
