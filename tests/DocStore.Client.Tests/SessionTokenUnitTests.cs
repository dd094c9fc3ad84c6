using DocStore.Client.Internal;

namespace DocStore.Client.Tests;

public sealed class SessionTokenUnitTests
{
    [Theory]
    [InlineData(null, "0:-1#5", "0:-1#5")]
    [InlineData("0:-1#5", "0:-1#7", "0:-1#7")]
    [InlineData("0:-1#7", "0:-1#5", "0:-1#7")]
    [InlineData("0:1#9", "0:2#3", "0:2#9")]
    [InlineData("0:2#3", "0:1#9", "0:2#9")]
    [InlineData("0:-1#7#1=4", "0:-1#8#1=2", "0:-1#8#1=4")]
    [InlineData("0:-1#9#1=4", "0:-1#8#1=2", "0:-1#9#1=4")]
    [InlineData("0:1#9#1=4#2=7", "0:2#3#1=5", "0:2#9#1=5")]
    [InlineData("9:-1#9,19:-1#19", "19:-1#18,9:-1#10", "9:-1#10,19:-1#19")]
    [InlineData("0:-1#7,1:-1#3", "1:-1#4", "0:-1#7,1:-1#4")]
    [InlineData("0:-1#7", "1:-1#4", "0:-1#7,1:-1#4")]
    [InlineData("0:-1#7,1:-1#3", "0:-1#6", "0:-1#7,1:-1#3")]
    [InlineData("opaque", "0:-1#1", "0:-1#1")]
    [InlineData("0:-1#1", "opaque", "opaque")]
    public void Tokens_merge_by_the_servers_rule(string? known, string seen, string expected)
    {
        Assert.Equal(expected, SessionTokenCache.Merge(known, seen));
    }

    [Fact]
    public void A_region_bearing_token_that_arrives_late_does_not_move_the_client_back()
    {
        var cache = new SessionTokenCache(capacity: 100);
        cache.Observe("items", "a", "0:-1#9#1=4");
        cache.Observe("items", "a", "0:-1#8#1=2");

        Assert.Equal("0:-1#9#1=4", cache.Get("items", "a"));
    }

    [Fact]
    public void The_cache_keeps_the_newest_token_per_partition()
    {
        var cache = new SessionTokenCache(capacity: 100);
        cache.Observe("items", "a", "0:-1#5");
        cache.Observe("items", "a", "0:-1#3");
        cache.Observe("items", "b", "0:-1#4");
        cache.Observe("items", "b", "");

        Assert.Equal("0:-1#5", cache.Get("items", "a"));
        Assert.Equal("0:-1#4", cache.Get("items", "b"));
        Assert.Null(cache.Get("orders", "a"));

        cache.Set("items", "a", "0:-1#1");
        Assert.Equal("0:-1#1", cache.Get("items", "a"));
        cache.Set("items", "a", null);
        Assert.Null(cache.Get("items", "a"));
    }

    [Fact]
    public void Past_its_capacity_the_cache_forgets_the_partitions_written_longest_ago()
    {
        var cache = new SessionTokenCache(capacity: 8);
        for (var i = 0; i < 9; i++)
        {
            cache.Observe("items", $"p{i}", $"0:-1#{i + 1}");
        }

        Assert.InRange(cache.Count, 1, 8);
        Assert.Null(cache.Get("items", "p0"));
        Assert.Equal("0:-1#9", cache.Get("items", "p8"));
    }
}
