extern alias server;

using server::DocStore.Shared;

namespace DocStore.Server.Tests.Unit;

public sealed class SessionTokenTests
{
    [Theory]
    [InlineData("0:-1#42")]
    [InlineData("0:1#42#1=40#2=41")]
    [InlineData("0:-1#42,1:2#7,17:0#0")]
    [InlineData("9:1#99,19:-1#9,90:0#0")]
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
    [InlineData("9a:-1#1")]
    [InlineData("/:-1#1")]
    [InlineData(":9:-1#1")]
    [InlineData("0:x#1")]
    [InlineData("0:-1#+1")]
    [InlineData("0:-1#1#x=2")]
    [InlineData("0:-1#1#1=x")]
    [InlineData("0:-1#1#1=2=3")]
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

    [Theory]
    [InlineData("0:x#1", "'0:x#1' is not a session token entry of the form '<range>:<version>#<globalLsn>[#<region>=<lsn>...]'")]
    [InlineData("0:-1#1,7:-1#2,7:-1#3", "the session token names partition-key range '7' more than once")]
    public void The_reason_names_the_offending_entry(string text, string reason)
    {
        Assert.False(SessionToken.TryParse(text, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void The_embedded_store_issues_the_vector_form() =>
        Assert.Equal("0:-1#42", SessionToken.ForEmbedded(42));

    [Theory]
    [InlineData("0:1#10", "0:1#12", "0:1#12")]
    [InlineData("0:1#12", "0:1#10", "0:1#12")]
    [InlineData("0:-1#9", "0:-1#19", "0:-1#19")]
    // Version and global LSN each by maximum, as the Cosmos DB SDK's VectorSessionToken.Merge does.
    [InlineData("0:2#3", "0:1#40", "0:2#40")]
    [InlineData("0:1#40", "0:2#3", "0:2#40")]
    // Equal versions: every region at its maximum.
    [InlineData("0:1#10#1=8#2=9", "0:1#12#1=7#2=4", "0:1#12#1=8#2=9")]
    [InlineData("0:1#12#1=7#2=4", "0:1#10#1=8#2=9", "0:1#12#1=8#2=9")]
    [InlineData("0:1#10#1=8", "0:1#12", "0:1#12#1=8")]
    [InlineData("0:1#12", "0:1#10#1=8", "0:1#12#1=8")]
    [InlineData("0:1#10#1=8#2=9", "0:1#12#1=7#3=4", "0:1#12#1=8#2=9#3=4")]
    [InlineData("0:1#10#2=3", "0:1#10#1=5", "0:1#10#1=5#2=3")]
    // Different versions: the regions of the higher version, raised to the lower one's LSNs.
    [InlineData("0:2#5#1=3", "0:1#9#1=7#2=4", "0:2#9#1=7")]
    [InlineData("0:1#9#1=7#2=4", "0:2#5#1=3", "0:2#9#1=7")]
    [InlineData("0:2#5#1=9", "0:1#9#1=7", "0:2#9#1=9")]
    [InlineData("0:1#5#1=4", "0:2#6", "0:2#6")]
    [InlineData("0:2#6", "0:1#5#1=4", "0:2#6")]
    [InlineData("0:1#10,1:1#5", "1:1#7,2:1#1", "0:1#10,1:1#7,2:1#1")]
    [InlineData("9:1#10,19:1#5", "19:1#7,9:1#3", "9:1#10,19:1#7")]
    public void Merge_follows_the_vector_session_token_rules(string first, string second, string expected)
    {
        Assert.Equal(expected, SessionToken.Merge(Parse(first), Parse(second)).ToString());
        Assert.Equal(expected, SessionToken.Merge(first, second));
    }

    [Theory]
    [InlineData("0:1#10,1:1#5", "1:1#7,2:1#1", "1:1#7,2:1#1,0:1#10")]
    [InlineData("0:-1#3", "0:-1#3", "0:-1#3")]
    public void Merge_keeps_the_ranges_in_the_order_first_seen(string first, string second, string expected) =>
        Assert.Equal(expected, SessionToken.Merge(Parse(second), Parse(first)).ToString());

    [Fact]
    public void A_range_is_found_by_its_exact_id()
    {
        var token = Parse("9:1#10,19:1#5");
        Assert.Equal(10, token.Find("9")!.GlobalLsn);
        Assert.Equal(5, token.Find("19")!.GlobalLsn);
        Assert.Null(token.Find("1"));
    }

    [Fact]
    public void Text_merge_skips_absent_and_unusable_tokens_and_returns_a_lone_token_unchanged()
    {
        Assert.Null(SessionToken.Merge(null, "", "garbage"));
        Assert.Equal("0:-1#7", SessionToken.Merge(null, "0:-1#7", "not a token"));
        Assert.Equal("0:-1#9", SessionToken.Merge("0:-1#7", null, "0:-1#9"));
        Assert.Equal("0:-1#9", SessionToken.Merge("0:-1#9", "0:-1#9", "0:-1#8"));
        Assert.Equal("0:1#3#1=2", SessionToken.Merge("0:1#3#1=2", "0:1#3#1=2"));
    }

    private static SessionToken Parse(string text)
    {
        Assert.True(SessionToken.TryParse(text, out var token, out var error), error);
        return token;
    }
}
