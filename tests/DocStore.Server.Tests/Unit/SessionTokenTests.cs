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

    [Theory]
    [InlineData("0:1#10", "0:1#9", true)]
    [InlineData("0:2#1", "0:1#99", true)]   // a higher version wins over a higher LSN
    [InlineData("0:1#9", "0:1#10", false)]
    [InlineData("0:1#10", "0:1#10", false)]
    [InlineData("0:-1#5", "0:-1#4", true)]
    public void Newer_means_a_higher_version_then_a_higher_global_lsn(string first, string second, bool newer)
    {
        var a = Assert.Single(Parse(first).Ranges);
        var b = Assert.Single(Parse(second).Ranges);
        Assert.Equal(newer, a.IsNewerThan(b));
    }

    [Theory]
    [InlineData("0:1#10", "0:1#12", "0:1#12")]
    [InlineData("0:1#12", "0:1#10", "0:1#12")]
    [InlineData("0:2#3", "0:1#40", "0:2#3")]
    [InlineData("0:1#10#1=8#2=9", "0:1#12#1=7#3=4", "0:1#12#1=8#2=9#3=4")]
    [InlineData("0:1#10,1:1#5", "1:1#7,2:1#1", "0:1#10,1:1#7,2:1#1")]
    public void Merge_keeps_every_range_and_the_newer_entry_with_region_lsns_at_their_maximum(string first, string second, string expected)
    {
        Assert.Equal(expected, SessionToken.Merge(Parse(first), Parse(second)).ToString());
        // The other order gives the same entries (only their order may differ).
        Assert.Equal(expected.Split(',').Order(), SessionToken.Merge(Parse(second), Parse(first)).ToString().Split(',').Order());
    }

    [Fact]
    public void A_merge_covers_both_inputs_and_neither_input_covers_a_newer_merge()
    {
        var a = Parse("0:1#10,1:1#5");
        var b = Parse("1:1#7,2:1#1");
        var merged = SessionToken.Merge(a, b);

        Assert.True(merged.Covers(a));
        Assert.True(merged.Covers(b));
        Assert.False(a.Covers(merged));
        Assert.False(b.Covers(merged));
    }

    [Fact]
    public void Text_merge_skips_absent_and_unusable_tokens_and_returns_a_lone_token_unchanged()
    {
        Assert.Null(SessionToken.Merge(null, "", "garbage"));
        Assert.Equal("0:-1#7", SessionToken.Merge(null, "0:-1#7", "not a token"));
        Assert.Equal("0:-1#9", SessionToken.Merge("0:-1#7", null, "0:-1#9"));
    }

    private static SessionToken Parse(string text)
    {
        Assert.True(SessionToken.TryParse(text, out var token, out var error), error);
        return token;
    }
}
