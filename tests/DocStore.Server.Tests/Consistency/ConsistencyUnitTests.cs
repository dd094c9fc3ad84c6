extern alias server;

using System.Text;
using Microsoft.Extensions.Time.Testing;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;

namespace DocStore.Server.Tests.Consistency;

public sealed class ConsistencyUnitTests
{
    [Fact]
    public void Keys_carry_the_prefix_a_short_scope_and_a_short_partition_key_as_it_is()
    {
        var scope = TokenKeys.ScopeHash("embedded/0123456789abcdef/items");
        var key = TokenKeys.For(scope, "tenant-7");

        Assert.Equal($"docstore:st:{scope}:tenant-7", key);
        Assert.Equal(12, scope.Length);
        Assert.NotEqual(scope, TokenKeys.ScopeHash("embedded/0123456789abcdef/orders"));
    }

    [Theory]
    [InlineData(65)]
    [InlineData(2048)]
    public void Long_partition_keys_are_hashed_so_that_a_key_stays_short(int length)
    {
        var scope = TokenKeys.ScopeHash("s");
        var key = TokenKeys.For(scope, new string('k', length));

        Assert.True(Encoding.UTF8.GetByteCount(key) < 100, key);
        Assert.NotEqual(key, TokenKeys.For(scope, new string('k', length - 1) + "j"));
    }

    [Fact]
    public void A_partition_key_that_looks_hashed_is_hashed_too_so_the_two_forms_never_collide()
    {
        var scope = TokenKeys.ScopeHash("s");
        var hashed = TokenKeys.For(scope, new string('k', 100));
        var lookalike = hashed[(hashed.LastIndexOf(':') + 1)..];

        Assert.NotEqual(hashed, TokenKeys.For(scope, lookalike));
    }

    [Fact]
    public void Local_tokens_only_move_forward_and_expire_after_the_ttl()
    {
        var time = new FakeTimeProvider();
        var recent = new RecentTokens(time, TimeSpan.FromMinutes(1));

        recent.Advance("s", "p", "0:-1#5");
        recent.Advance("s", "p", "0:-1#3");
        Assert.Equal("0:-1#5", recent.Get("s", "p"));
        Assert.Null(recent.Get("s", "other"));

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(recent.Get("s", "p"));
    }

    [Fact]
    public void Local_tokens_stay_bounded()
    {
        var recent = new RecentTokens(new FakeTimeProvider(), TimeSpan.FromMinutes(1));
        for (var i = 0; i < RecentTokens.Capacity * 3; i++)
        {
            recent.Advance("s", $"p{i}", "0:-1#1");
        }

        var held = Enumerable.Range(0, RecentTokens.Capacity * 3).Count(i => recent.Get("s", $"p{i}") is not null);
        Assert.InRange(held, 1, RecentTokens.Capacity);
        Assert.Equal("0:-1#1", recent.Get("s", $"p{(RecentTokens.Capacity * 3) - 1}"));
    }

    [Theory]
    [InlineData(null, null, TokenSharing.Local)]
    [InlineData("localhost:6379", null, TokenSharing.Redis)]
    [InlineData("localhost:6379", TokenSharing.Off, TokenSharing.Off)]
    [InlineData(null, TokenSharing.Off, TokenSharing.Off)]
    public void Sharing_defaults_to_redis_when_configured_and_to_local_otherwise(string? redis, TokenSharing? set, TokenSharing expected)
    {
        var options = new DocStoreOptions { Redis = { Configuration = redis }, SessionTokens = { Sharing = set } };
        Assert.Equal(expected, options.SessionTokens.EffectiveSharing(options.Redis));
    }

    [Fact]
    public void The_validator_names_each_consistency_key_that_is_wrong()
    {
        var options = new DocStoreOptions
        {
            Embedded = { ReplicaLag = TimeSpan.FromSeconds(-1) },
            SessionTokens = { Sharing = TokenSharing.Redis, Ttl = TimeSpan.Zero, RedisTimeout = TimeSpan.Zero, BreakDuration = TimeSpan.FromMilliseconds(10) },
        };
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };

        var problems = Infrastructure.SettingsProblems.Of(options);

        foreach (var key in new[] { "DocStore:Embedded:ReplicaLag", "DocStore:SessionTokens:Sharing", "DocStore:SessionTokens:Ttl", "DocStore:SessionTokens:RedisTimeout", "DocStore:SessionTokens:BreakDuration" })
        {
            Assert.Contains(problems, p => p.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_redis_configuration_string_that_does_not_parse_stops_start_up_with_its_key()
    {
        var options = new DocStoreOptions { Redis = { Configuration = "localhost,connectTimeout=soon" } };
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };

        var problems = Infrastructure.SettingsProblems.Of(options);

        Assert.Contains(problems, p => p.StartsWith("DocStore:Redis:Configuration", StringComparison.Ordinal));
    }
}
