extern alias server;

using System.Diagnostics.Metrics;
using DocStore.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;
using server::DocStore.Shared;
using StackExchange.Redis;

namespace DocStore.Server.Tests.Consistency;

/// <summary>The Redis token store against a real redis-server started for this class.</summary>
public sealed class RedisTokenStoreTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _inspect = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _inspect = await _redis.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await _inspect.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_late_older_token_never_replaces_a_newer_one()
    {
        await using var pod = await PodAsync();
        var key = NewKey();

        // Pod B's write (LSN 11) is acknowledged first; pod A's older one (LSN 10) arrives after it.
        Assert.True(await pod.Store.AdvanceAsync(key, "0:-1#11"));
        Assert.True(await pod.Store.AdvanceAsync(key, "0:-1#10"));

        Assert.Equal("0:-1#11", (string?)await _inspect.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task A_plain_SET_in_the_same_order_leaves_the_older_token_which_is_why_the_store_uses_a_script()
    {
        var key = NewKey();
        var database = _inspect.GetDatabase();

        await database.StringSetAsync(key, "0:-1#11");
        await database.StringSetAsync(key, "0:-1#10");

        // The next read through any pod would pass LSN 10 and could miss the write at LSN 11.
        var left = SessionToken.ParseOrNull(await database.StringGetAsync(key))!;
        Assert.Equal(10, left.Find("0")!.GlobalLsn);
    }

    [Fact]
    public async Task Two_pods_racing_on_one_partition_leave_the_newest_token()
    {
        await using var podA = await PodAsync();
        await using var podB = await PodAsync();
        var key = NewKey();
        var lsns = Enumerable.Range(1, 400).OrderBy(_ => Random.Shared.Next()).ToArray();

        await Task.WhenAll(lsns.Select((lsn, i) => (i % 2 == 0 ? podA : podB).Store.AdvanceAsync(key, $"0:-1#{lsn}").AsTask()));

        Assert.Equal("0:-1#400", (string?)await _inspect.GetDatabase().StringGetAsync(key));
    }

    [Theory]
    [InlineData("0:1#10#1=8#2=9", "0:1#12#1=7#3=4")]
    [InlineData("0:1#10,1:1#5", "1:1#7,2:1#1")]
    [InlineData("0:2#3", "0:1#40")]
    [InlineData("0:-1#5", "0:-1#5")]
    [InlineData("0:1#10", "0:1#9")]
    [InlineData("0:1#9", "0:1#10")]
    [InlineData("0:1#5", "1:1#3")]
    [InlineData("0:1#5#1=4", "0:1#6")]
    [InlineData("0:1#6", "0:1#5#1=4")]
    [InlineData("0:1#10#1=8", "0:1#12")]
    [InlineData("0:2#5#1=3", "0:1#9#1=7#2=4")]
    [InlineData("0:1#9#1=7#2=4", "0:2#5#1=3")]
    [InlineData("0:2#5#1=9", "0:1#9#1=7")]
    [InlineData("0:1#5#1=4", "0:2#6")]
    [InlineData("0:1#10#2=3", "0:1#10#1=5")]
    [InlineData("0:2#3", "0:1#40,1:1#2")]
    [InlineData("0:2#3,19:1#9", "19:2#4,9:1#1")]
    [InlineData("0:-1#9", "0:-1#19")]
    public async Task The_script_merges_exactly_as_SessionToken_Merge_does(string stored, string incoming)
    {
        await using var pod = await PodAsync();
        var key = NewKey();
        await _inspect.GetDatabase().StringSetAsync(key, stored);

        Assert.True(await pod.Store.AdvanceAsync(key, incoming));

        var expected = SessionToken.Merge(SessionToken.ParseOrNull(stored)!, SessionToken.ParseOrNull(incoming)!).ToString();
        Assert.Equal(expected, (string?)await _inspect.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task A_stored_value_that_is_not_a_token_is_replaced()
    {
        await using var pod = await PodAsync();
        var key = NewKey();
        await _inspect.GetDatabase().StringSetAsync(key, "garbage");

        Assert.True(await pod.Store.AdvanceAsync(key, "0:-1#3"));

        Assert.Equal("0:-1#3", (string?)await _inspect.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task Every_advance_sets_the_configured_ttl()
    {
        await using var pod = await PodAsync(ttl: TimeSpan.FromMinutes(3));
        var key = NewKey();

        await pod.Store.AdvanceAsync(key, "0:-1#1");

        var ttl = await _inspect.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task An_older_token_still_refreshes_the_ttl()
    {
        await using var pod = await PodAsync(ttl: TimeSpan.FromMinutes(3));
        var key = NewKey();
        await _inspect.GetDatabase().StringSetAsync(key, "0:-1#9", TimeSpan.FromSeconds(30));

        await pod.Store.AdvanceAsync(key, "0:-1#8");

        Assert.Equal("0:-1#9", (string?)await _inspect.GetDatabase().StringGetAsync(key));
        Assert.InRange((await _inspect.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Reads_return_the_stored_token_or_nothing()
    {
        await using var pod = await PodAsync();
        var key = NewKey();

        Assert.Equal((true, null), await pod.Store.GetAsync(key, CancellationToken.None));
        await pod.Store.AdvanceAsync(key, "0:-1#4");
        Assert.Equal((true, "0:-1#4"), await pod.Store.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_stalled_redis_opens_the_breaker_so_later_calls_skip_it_and_it_recovers_by_itself()
    {
        await using var pod = await PodAsync(timeout: TimeSpan.FromMilliseconds(50), breakDuration: TimeSpan.FromSeconds(1));
        var key = NewKey();
        Assert.True(await pod.Store.AdvanceAsync(key, "0:-1#1"));

        // CLIENT PAUSE stalls every client's commands: each call now runs into the 50 ms timeout.
        await _inspect.GetServer(_inspect.GetEndPoints()[0]).ExecuteAsync("CLIENT", "PAUSE", "4000", "ALL");
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal((false, null), await pod.Store.GetAsync(key, CancellationToken.None));
        }

        // About ten calls (the breaker's minimum throughput) waited for the timeout; the rest were
        // skipped by the open breaker, at no cost.
        Assert.InRange(pod.Count("timeout"), 5, 15);
        Assert.InRange(pod.Count("breaker_open"), 15, 25);
        Assert.Equal(30, pod.Count("timeout") + pod.Count("breaker_open"));

        await _inspect.GetServer(_inspect.GetEndPoints()[0]).ExecuteAsync("CLIENT", "UNPAUSE");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(await pod.Store.GetAsync(key, CancellationToken.None)).Available)
        {
            Assert.True(DateTime.UtcNow < deadline, "Redis sharing did not resume after the pause ended.");
            await Task.Delay(100);
        }

        Assert.Equal((true, "0:-1#1"), await pod.Store.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task With_redis_down_calls_report_unavailable_instead_of_throwing()
    {
        var options = Options.Create(new DocStoreOptions { Redis = { Configuration = $"127.0.0.1:{FreePort.Next()}" } });
        await using var pod = await PodAsync(options);

        Assert.Equal((false, null), await pod.Store.GetAsync(NewKey(), CancellationToken.None));
        Assert.False(await pod.Store.AdvanceAsync(NewKey(), "0:-1#1"));
        Assert.Equal(2, pod.Count("error") + pod.Count("timeout") + pod.Count("breaker_open"));
    }

    private static string NewKey() => TokenKeys.For(TokenKeys.ScopeHash("test/" + Guid.NewGuid()), "p");

    private Task<Pod> PodAsync(TimeSpan? ttl = null, TimeSpan? timeout = null, TimeSpan? breakDuration = null)
    {
        var options = new DocStoreOptions { Redis = { Configuration = _redis.Configuration } };
        options.SessionTokens.Ttl = ttl ?? options.SessionTokens.Ttl;

        // Generous by default: these tests are about what the script stores, not about timeouts.
        options.SessionTokens.RedisTimeout = timeout ?? TimeSpan.FromSeconds(5);
        options.SessionTokens.BreakDuration = breakDuration ?? options.SessionTokens.BreakDuration;
        return PodAsync(Options.Create(options));
    }

    private static Task<Pod> PodAsync(IOptions<DocStoreOptions> options)
    {
        var services = new ServiceCollection().AddMetrics().AddLogging().AddSingleton(options);
        services.AddSessionTokenSharing();
        var provider = services.BuildServiceProvider();
        return Task.FromResult(new Pod(provider));
    }

    /// <summary>One pod's token store, built by the server's own registration, and its error counts.</summary>
    private sealed class Pod : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _errors = [];

        public Pod(ServiceProvider provider)
        {
            _provider = provider;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ConsistencyMetrics.MeterName && instrument.Name == "docstore.session_tokens.redis_errors"
                    && instrument.Meter.Scope == provider.GetRequiredService<IMeterFactory>())
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "kind")
                    {
                        lock (_errors)
                        {
                            _errors[(string)tag.Value!] = _errors.GetValueOrDefault((string)tag.Value!) + value;
                        }
                    }
                }
            });
            _listener.Start();
            Store = provider.GetRequiredService<RedisTokenStore>();
        }

        public RedisTokenStore Store { get; }

        public long Count(string kind)
        {
            lock (_errors)
            {
                return _errors.GetValueOrDefault(kind);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _provider.DisposeAsync();
        }
    }
}
