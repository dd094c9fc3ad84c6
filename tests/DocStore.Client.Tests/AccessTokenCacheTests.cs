using Azure.Core;
using DocStore.Client.Internal;
using Microsoft.Extensions.Time.Testing;

namespace DocStore.Client.Tests;

/// <summary>The client's token cache: one token per expiry, fetched again shortly before it expires.</summary>
public sealed class AccessTokenCacheTests
{
    [Fact]
    public async Task A_token_is_reused_until_five_minutes_before_it_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var credential = new CountingCredential(time, TimeSpan.FromHours(1));
        using var cache = new AccessTokenCache(credential, ["api://docstore/.default"], time);

        Assert.Equal("token-1", await cache.GetTokenAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal("token-1", await cache.GetTokenAsync(CancellationToken.None));
        Assert.Equal(["api://docstore/.default"], credential.LastScopes);

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal("token-2", await cache.GetTokenAsync(CancellationToken.None));
        Assert.Equal(2, credential.Calls);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_fetch()
    {
        var time = new FakeTimeProvider();
        var credential = new CountingCredential(time, TimeSpan.FromHours(1), delay: TimeSpan.FromMilliseconds(50));
        using var cache = new AccessTokenCache(credential, ["s"], time);
        var tokens = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => cache.GetTokenAsync(CancellationToken.None).AsTask()));
        Assert.All(tokens, t => Assert.Equal("token-1", t));
        Assert.Equal(1, credential.Calls);
    }

    [Fact]
    public async Task The_credentials_own_refresh_time_comes_first()
    {
        var time = new FakeTimeProvider();
        var credential = new CountingCredential(time, TimeSpan.FromHours(1), refreshAfter: TimeSpan.FromMinutes(30));
        using var cache = new AccessTokenCache(credential, ["s"], time);
        await cache.GetTokenAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal("token-2", await cache.GetTokenAsync(CancellationToken.None));
    }

    private sealed class CountingCredential(TimeProvider time, TimeSpan lifetime, TimeSpan? delay = null, TimeSpan? refreshAfter = null) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public string[] LastScopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            if (delay is { } wait)
            {
                await Task.Delay(wait, cancellationToken);
            }

            LastScopes = requestContext.Scopes;
            var n = Interlocked.Increment(ref _calls);
            var now = time.GetUtcNow();
            return new AccessToken($"token-{n}", now + lifetime, refreshAfter is { } r ? now + r : null);
        }
    }
}
