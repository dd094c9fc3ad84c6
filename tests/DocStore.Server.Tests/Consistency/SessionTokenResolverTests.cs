extern alias server;

using DocStore.Server.Tests.Infrastructure;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;

namespace DocStore.Server.Tests.Consistency;

/// <summary>What a read passes to the store in each sharing mode; pods are separate service providers over one real redis-server.</summary>
public sealed class SessionTokenResolverTests : IAsyncLifetime
{
    /// <summary>A store's token scope for a collection, as <c>IDocumentStore.TokenScope</c> gives it.</summary>
    private const string Items = "test/items";

    private ResolverPods _pods = null!;

    public async Task InitializeAsync() => _pods = await ResolverPods.StartAsync();

    public async Task DisposeAsync() => await _pods.DisposeAsync();

    [Fact]
    public async Task Off_passes_only_the_callers_token_and_shares_nothing()
    {
        var pod = Pod(TokenSharing.Off);

        await pod.AdvanceAsync(Items, "p", "0:-1#5");

        Assert.Null(await pod.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("0:-1#2", await pod.ForReadAsync(Items, "p", "0:-1#2", CancellationToken.None));
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Local_merges_the_callers_token_with_this_process_session()
    {
        var pod = Pod(TokenSharing.Local);

        await pod.AdvanceAsync(Items, "p", "0:-1#5,1:-1#2");

        Assert.Equal("0:-1#5,1:-1#2", await pod.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("0:-1#9,1:-1#2", await pod.ForReadAsync(Items, "p", "0:-1#9", CancellationToken.None));
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task A_read_passes_at_least_what_this_process_has_seen_in_any_partition_and_through_reads()
    {
        // A store given a token reads at it instead of its own session: the token must cover that session.
        var pod = Pod(TokenSharing.Local);

        await pod.AdvanceAsync(Items, "p", "0:-1#5");
        pod.Observe(Items, "0:-1#7,1:-1#3");
        pod.Observe("other/scope", "0:-1#40");

        Assert.Equal("0:-1#7,1:-1#3", await pod.ForReadAsync(Items, "another", null, CancellationToken.None));
        Assert.Equal("0:-1#7,1:-1#3", pod.ForCollectionRead(Items, null));
        Assert.Equal("0:-1#8,1:-1#3", pod.ForCollectionRead(Items, "0:-1#8"));
        Assert.Null(pod.ForCollectionRead("unseen/scope", null));
    }

    [Fact]
    public async Task Redis_gives_a_pod_the_token_another_pod_wrote_merged_with_the_callers_and_its_own()
    {
        var podA = Pod(TokenSharing.Redis);
        var podB = Pod(TokenSharing.Redis);

        await podA.AdvanceAsync(Items, "p", "0:-1#7");
        await podB.AdvanceAsync(Items, "q", "0:-1#8");

        // Pod B's own session (its write at 8) covers what Redis gives it for p here; pod C has no session.
        var podC = Pod(TokenSharing.Redis);
        Assert.Equal("0:-1#7", await podC.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("1:-1#3,0:-1#7", await podC.ForReadAsync(Items, "p", "1:-1#3", CancellationToken.None));
        Assert.Equal("0:-1#8", await podB.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("0:-1#8", await podA.ForReadAsync(Items, "q", null, CancellationToken.None));
        Assert.Equal(2, (await KeysAsync()).Length);
    }

    [Fact]
    public async Task With_redis_down_a_read_goes_out_with_what_the_pod_has()
    {
        var pod = Pod(TokenSharing.Redis, redis: $"127.0.0.1:{FreePort.Next()}");

        await pod.AdvanceAsync(Items, "p", "0:-1#4");

        Assert.Equal("0:-1#4", await pod.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("0:-1#6", await pod.ForReadAsync(Items, "p", "0:-1#6", CancellationToken.None));
    }

    [Theory]
    [InlineData("0:-1#99999999999999999999999")]
    [InlineData("0:-1#1e30")]
    public async Task A_token_shaped_value_out_of_bounds_is_replaced_by_the_next_write_so_reads_share_tokens_again(string poison)
    {
        var podA = Pod(TokenSharing.Redis);
        var podB = Pod(TokenSharing.Redis);
        await podA.AdvanceAsync(Items, "p", "0:-1#1");
        await using (var redis = await _pods.Redis.ConnectAsync())
        {
            await redis.GetDatabase().StringSetAsync(Assert.Single(await KeysAsync()), poison);
        }

        // Ten writes through pod A, each followed by a read through pod B: every read gets the write's token.
        var fresh = 0;
        for (var lsn = 2; lsn <= 11; lsn++)
        {
            await podA.AdvanceAsync(Items, "p", $"0:-1#{lsn}");
            fresh += await podB.ForReadAsync(Items, "p", null, CancellationToken.None) == $"0:-1#{lsn}" ? 1 : 0;
        }

        Assert.Equal(10, fresh);
    }

    private SessionTokenResolver Pod(TokenSharing sharing, string? redis = null) => _pods.Pod(sharing, redis);

    private async Task<StackExchange.Redis.RedisKey[]> KeysAsync()
    {
        await using var redis = await _pods.Redis.ConnectAsync();
        return [.. redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: TokenKeys.Prefix + "*")];
    }
}
