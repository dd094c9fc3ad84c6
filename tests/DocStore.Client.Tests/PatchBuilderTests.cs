namespace DocStore.Client.Tests;

public sealed class PatchBuilderTests
{
    [Fact]
    public void A_patch_holds_up_to_ten_operations_and_refuses_the_eleventh()
    {
        var patch = Patch.Set("/a0", 0);
        for (var i = 1; i < PatchOperations.MaxOperations; i++)
        {
            patch = patch.Increment($"/a{i}", i);
        }

        Assert.Equal(10, patch.Count);
        var e = Assert.Throws<InvalidOperationException>(() => patch.Remove("/a0"));
        Assert.Contains("10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_patch_is_immutable_so_it_can_be_reused()
    {
        var start = Patch.Set("/a", 1);
        var longer = start.Remove("/b");

        Assert.Equal(1, start.Count);
        Assert.Equal(2, longer.Count);
        Assert.Equal($"set /a{Environment.NewLine}remove /b", longer.ToString());
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("a", "must start with '/'")]
    [InlineData("/a~2", "'~' must be followed by '0' or '1'")]
    [InlineData("/a~", "'~' must be followed by '0' or '1'")]
    [InlineData("/id", "'/id' cannot be patched")]
    [InlineData("/id/x", "'/id' cannot be patched")]
    [InlineData("/_etag", "system property")]
    [InlineData("/_ts/x", "system property")]
    public void A_bad_path_is_refused_before_anything_is_sent(string path, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Patch.Set(path, 1));

        Assert.Equal("path", e.ParamName);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a~0b")]
    [InlineData("/a~1b/0")]
    [InlineData("/items/-")]
    [InlineData("/")]
    [InlineData("/identity")]
    [InlineData("/_mine")]
    public void Escaped_and_ordinary_paths_are_accepted(string path)
    {
        Assert.Equal(1, Patch.Add(path, "x").Count);
    }

    [Fact]
    public void Every_operation_checks_its_paths()
    {
        Assert.Throws<ArgumentException>(() => Patch.Remove("x"));
        Assert.Throws<ArgumentException>(() => Patch.Replace("x", 1));
        Assert.Throws<ArgumentException>(() => Patch.Increment("x", 1));
        Assert.Equal("from", Assert.Throws<ArgumentException>(() => Patch.Move("x", "/y")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Patch.Move("/x", "y")).ParamName);
        Assert.Throws<ArgumentNullException>(() => Patch.Set<int>(null!, 1));
    }

    [Fact]
    public void A_value_cannot_be_moved_into_itself()
    {
        Assert.Throws<ArgumentException>(() => Patch.Move("/a", "/a/b"));
        Assert.Equal(1, Patch.Move("/a", "/ab").Count);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void An_increment_must_be_finite(double by)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Patch.Increment("/n", by));
    }
}
