using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DocStore.Server.Tests.Security;

/// <summary>
/// A real OpenID Connect issuer on loopback, and an in-process server with <c>DocStore:Auth:Mode=Jwt</c> that fetches
/// its discovery document and JWKS over HTTP. A grant gives client <c>granted-app</c> read and upsert on <c>items</c>.
/// </summary>
public sealed class JwtServerFixture : IAsyncLifetime
{
    private OidcIssuer? _issuer;
    private InProcessServer? _server;

    public OidcIssuer Issuer => _issuer ?? throw new InvalidOperationException("Not started.");

    public InProcessServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public CapturedLogs Logs { get; } = new();

    public DocStoreService.DocStoreServiceClient Client => Server.Client;

    public async Task InitializeAsync()
    {
        _issuer = await OidcIssuer.StartAsync();
        _server = InProcessServer.WithSettings(new Dictionary<string, string?>
        {
            ["DocStore:Auth:Mode"] = "Jwt",
            ["DocStore:Auth:Jwt:Authority"] = _issuer.Authority,
            ["DocStore:Auth:Jwt:Audience"] = OidcIssuer.Audience,
            ["DocStore:Auth:Grants:0:Principal"] = "granted-app",
            ["DocStore:Auth:Grants:0:Collections:0"] = "items",
            ["DocStore:Auth:Grants:0:Actions:0"] = "read",
            ["DocStore:Auth:Grants:0:Actions:1"] = "upsert",
        }, services => services.AddSingleton<ILoggerProvider>(Logs));
    }

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    public async Task DisposeAsync()
    {
        _server?.Dispose();
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync();
        }
    }
}
