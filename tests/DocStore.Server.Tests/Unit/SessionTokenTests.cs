extern alias server;

using server::DocStore.Server.Consistency;

namespace DocStore.Server.Tests.Unit;

public sealed class SessionTokenTests
{
    [Theory]
    [InlineData("0:-1#42")]
    [InlineData("0:1#42#1=40#2=41")]
    [InlineData("0:-1#42,1:2#7,17:0#0")]
    public void Vector_tokens_parse_and_print_back_unchanged(string text)
    {
        Assert.True(SessionToken.TryParse(text, out var token, out _));
        Assert.Equal(text, token.ToString());
    }

    [Fact]
    public void A_range_exposes_its_version_lsn_and_region_lsns()
    {
        Assert.True(SessionToken.TryParse("3:5#100#1=90#2=95", out var token, out _));
        var range = Assert.Single(token.Ranges);
        Assert.Equal("3", range.RangeId);
        Assert.Equal(5, range.Version);
        Assert.Equal(100, range.GlobalLsn);
        Assert.Equal(90, range.RegionLsns[1]);
        Assert.Equal(95, range.RegionLsns[2]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("42")]
    [InlineData("0:42")]
    [InlineData(":-1#1")]
    [InlineData("a:-1#1")]
    [InlineData("0:-1#-5")]
    [InlineData("0:-1#1#1")]
    [InlineData("0:-1#1#1=2#1=3")]
    [InlineData("0:-1#1,")]
    [InlineData("0:-1#1,0:-1#2")]
    public void Malformed_tokens_are_refused_with_a_reason(string text)
    {
        Assert.False(SessionToken.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void The_embedded_store_issues_the_vector_form() =>
        Assert.Equal("0:-1#42", SessionToken.ForEmbedded(42));
}
