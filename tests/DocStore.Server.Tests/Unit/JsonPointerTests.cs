extern alias server;

using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Unit;

public sealed class JsonPointerTests
{
    [Theory]
    [InlineData("/a", new[] { "a" })]
    [InlineData("/a/b/0", new[] { "a", "b", "0" })]
    [InlineData("/a~1b", new[] { "a/b" })]
    [InlineData("/m~0n", new[] { "m~n" })]
    [InlineData("/~01", new[] { "~1" })]
    [InlineData("/", new[] { "" })]
    [InlineData("/a//b", new[] { "a", "", "b" })]
    public void Valid_pointers_unescape_their_segments(string text, string[] segments)
    {
        Assert.True(JsonPointer.TryParse(text, out var pointer, out _));
        Assert.Equal(segments, pointer.Segments);
        Assert.Equal(text, pointer.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("/a~")]
    [InlineData("/a~2")]
    [InlineData("/~x")]
    public void Invalid_pointers_are_refused_with_a_reason(string text)
    {
        Assert.False(JsonPointer.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("/a", "/a", true)]
    [InlineData("/a", "/a/b", true)]
    [InlineData("/a/b", "/a", false)]
    [InlineData("/a", "/ab", false)]
    [InlineData("/a~1b", "/a/b", false)]
    public void Ancestry_compares_whole_segments(string ancestor, string descendant, bool expected) =>
        Assert.Equal(expected, JsonPointer.Parse(ancestor).IsSelfOrAncestorOf(JsonPointer.Parse(descendant)));

    [Fact]
    public void Equal_pointers_are_equal_whatever_their_escapes_produce()
    {
        Assert.Equal(JsonPointer.Parse("/a/b"), JsonPointer.Parse("/a/b"));
        Assert.NotEqual(JsonPointer.Parse("/a/b"), JsonPointer.Parse("/a~1b"));
        Assert.Equal(JsonPointer.Parse("/x/y").GetHashCode(), JsonPointer.Parse("/x/y").GetHashCode());
    }
}
