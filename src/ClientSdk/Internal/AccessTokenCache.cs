using Azure.Core;

namespace DocStore.Client.Internal;

/// <summary>
/// One credential's token for the client's scopes, fetched on first use and again once it is within
/// <see cref="RefreshMargin"/> of expiring (or past the credential's own refresh time), by one caller at a time.
/// </summary>
internal sealed class AccessTokenCache(TokenCredential credential, IReadOnlyList<string> scopes, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly string[] _scopes = [.. scopes];
    private Cached? _current;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is { } cached && time.GetUtcNow() < cached.RefreshAt)
        {
            return cached.Token;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } again && time.GetUtcNow() < again.RefreshAt)
            {
                return again.Token;
            }

            var token = await credential.GetTokenAsync(new TokenRequestContext(_scopes), cancellationToken).ConfigureAwait(false);
            var refreshAt = token.RefreshOn ?? token.ExpiresOn - RefreshMargin;
            Volatile.Write(ref _current, new Cached(token.Token, refreshAt));
            return token.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private sealed record Cached(string Token, DateTimeOffset RefreshAt);
}
