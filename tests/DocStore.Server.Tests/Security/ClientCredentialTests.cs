using System.Globalization;
using Azure.Core;
using DocStore.Client;
using DocStore.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Server.Tests.Security;

/// <summary>The client package against real servers: a TokenCredential's tokens as call credentials, and a client certificate.</summary>
public sealed class ClientCredentialTests
{
    private sealed record Item(string Id, string Pk, int N);

    [Fact]
    public async Task A_credential_s_tokens_are_sent_cached_and_the_failures_map_to_the_SDK_s_exceptions()
    {
        await using var issuer = await OidcIssuer.StartAsync();
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Auth__Mode"] = "Jwt",
            ["DocStore__Auth__Jwt__Authority"] = issuer.Authority,
            ["DocStore__Auth__Jwt__Audience"] = OidcIssuer.Audience,
        });

        var reader = new IssuerCredential(issuer, "reader-app", ["items.read"]);
        using var provider = Client(server.Address, o =>
        {
            o.Credential = reader;
            o.Scopes.Add(OidcIssuer.Audience + "/.default");
            o.AllowInsecureCredentials = true;
        });
        var client = provider.GetRequiredService<DocStoreClient>();

        var missing = await Assert.ThrowsAsync<DocStoreNotFoundException>(() => client.GetAsync<Item>("items", "absent", "p"));
        Assert.Equal("DOCUMENT_NOT_FOUND", missing.Reason);
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => client.GetAsync<Item>("items", "absent-2", "p"));
        var denied = await Assert.ThrowsAsync<DocStorePermissionDeniedException>(() => client.UpsertAsync("items", new Item("a", "p", 1)));
        Assert.Equal(("items", "upsert"), (denied.Collection, denied.Action));
        Assert.Contains("reader-app", denied.Message, StringComparison.Ordinal);
        Assert.Equal(1, reader.Calls);
        Assert.Equal([OidcIssuer.Audience + "/.default"], reader.LastScopes);

        using var anonymousProvider = Client(server.Address, _ => { });
        var unauthenticated = await Assert.ThrowsAsync<DocStoreUnauthenticatedException>(() => anonymousProvider.GetRequiredService<DocStoreClient>().GetAsync<Item>("items", "absent", "p"));
        Assert.Equal("UNAUTHENTICATED", unauthenticated.Reason);
    }

    [Fact]
    public void A_credential_over_plaintext_is_refused_unless_allowed()
    {
        using var provider = Client(new Uri("http://127.0.0.1:1"), o =>
        {
            o.Credential = new IssuerCredential(null, "app", []);
            o.Scopes.Add("api://docstore/.default");
        });
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<DocStoreClient>());
        Assert.Contains("AllowInsecureCredentials", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_authenticates_over_mTLS()
    {
        var directory = TestCertificates.NewDirectory();
        var ca = TestCertificates.CreateCa("sdk-ca");
        ca.IssueServer("docstore").WritePem(Path.Combine(directory, "tls.crt"), Path.Combine(directory, "tls.key"));
        ca.WritePem(Path.Combine(directory, "ca.crt"));
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Tls__CertificatePath"] = Path.Combine(directory, "tls.crt"),
            ["DocStore__Tls__KeyPath"] = Path.Combine(directory, "tls.key"),
            ["DocStore__Health__Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["DocStore__Auth__Mode"] = "Certificate",
            ["DocStore__Auth__Certificate__TrustedCaPath"] = Path.Combine(directory, "ca.crt"),
            ["DocStore__Auth__Grants__0__Principal"] = "spiffe://cluster.local/ns/shop/sa/sdk",
            ["DocStore__Auth__Grants__0__Collections__0"] = "items",
            ["DocStore__Auth__Grants__0__Actions__0"] = "*",
        });

        var address = new Uri($"https://127.0.0.1:{server.Port}");
        using var provider = Client(address, o => o.ClientCertificate = ca.IssueClient("CN=sdk", new Uri("spiffe://cluster.local/ns/shop/sa/sdk")).WithKey(), ca);
        var client = provider.GetRequiredService<DocStoreClient>();
        await client.UpsertAsync("items", new Item("c1", "p", 7));
        Assert.Equal(7, (await client.GetAsync<Item>("items", "c1", "p")).Value.N);

        using var without = Client(address, _ => { }, ca);
        await Assert.ThrowsAsync<DocStoreUnauthenticatedException>(() => without.GetRequiredService<DocStoreClient>().GetAsync<Item>("items", "c1", "p"));
    }

    [Fact]
    public async Task WatchChangesAsync_opens_its_stream_again_with_a_fresh_token_when_the_token_expires()
    {
        await using var issuer = await OidcIssuer.StartAsync();
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Auth__Mode"] = "Jwt",
            ["DocStore__Auth__Jwt__Authority"] = issuer.Authority,
            ["DocStore__Auth__Jwt__Audience"] = OidcIssuer.Audience,
        });

        // Tokens that live 4 seconds: the stream outlives the one it opened with.
        var credential = new IssuerCredential(issuer, "watcher", ["items.changes", "items.upsert"], TimeSpan.FromSeconds(4));
        using var provider = Client(server.Address, o =>
        {
            o.Credential = credential;
            o.Scopes.Add(OidcIssuer.Audience + "/.default");
            o.AllowInsecureCredentials = true;
        });
        var client = provider.GetRequiredService<DocStoreClient>();
        await client.UpsertAsync("items", new Item("before", "watched", 0));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        var expiredAt = DateTimeOffset.MaxValue;
        await foreach (var page in client.WatchChangesAsync<Item>("items", "watched", ChangeFeedPosition.Beginning, cancel.Token))
        {
            seen.AddRange(page.Documents.Select(d => d.Id));
            if (seen.Count == 1 && expiredAt == DateTimeOffset.MaxValue)
            {
                // Write after the stream's token has expired: the server ends that stream with UNAUTHENTICATED, and the
                // client opens it again from its continuation with a new token instead of throwing.
                expiredAt = DateTimeOffset.UtcNow.AddSeconds(5);
                await Task.Delay(expiredAt - DateTimeOffset.UtcNow, cancel.Token);
                await client.UpsertAsync("items", new Item("after", "watched", 1));
            }

            if (seen.Contains("after"))
            {
                break;
            }
        }

        Assert.Equal(["before", "after"], seen);
    }

    /// <summary>The client package's registration; with <paramref name="trustedCa"/>, the server certificate is checked against it.</summary>
    private static ServiceProvider Client(Uri address, Action<DocStoreClientOptions> configure, TestCertificates? trustedCa = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddDocStoreClient(o =>
        {
            o.Address = address;
            o.MaxAttempts = 1;
            configure(o);
        });
        if (trustedCa is not null)
        {
            builder.ConfigurePrimaryHttpMessageHandler((handler, _) =>
                ((SocketsHttpHandler)handler).SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                    chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trustedCa.Certificate);
                    chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                    return certificate is not null && chain.Build(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                });
        }

        return services.BuildServiceProvider();
    }

    /// <summary>A TokenCredential that gets its tokens from the test's issuer, counting the requests.</summary>
    private sealed class IssuerCredential(OidcIssuer? issuer, string azp, string[] roles, TimeSpan? lifetime = null) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public string[] LastScopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            LastScopes = requestContext.Scopes;
            var expiresOn = DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromHours(1));
            var token = issuer?.Token(azp, roles, c => c["exp"] = expiresOn.ToUnixTimeSeconds()) ?? "unused";
            return new AccessToken(token, expiresOn);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
