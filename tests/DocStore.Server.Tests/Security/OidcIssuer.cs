using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DocStore.Server.Tests.Security;

/// <summary>
/// A real OpenID Connect issuer on loopback: a small Kestrel app serving the discovery document and the JWKS over
/// HTTP, and RS256 tokens signed with a key generated here. <see cref="RotateKey"/> replaces the signing key (and
/// its kid) in the JWKS, as an issuer rolling its keys does.
/// </summary>
public sealed class OidcIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile SigningKey _key = SigningKey.Create();

    private OidcIssuer(WebApplication app, int port)
    {
        _app = app;
        Authority = $"http://127.0.0.1:{port}/tenant/v2.0";
    }

    public const string Audience = "api://docstore";

    /// <summary>The issuer and authority, <c>http://127.0.0.1:{port}/tenant/v2.0</c>.</summary>
    public string Authority { get; }

    /// <summary>How many times the JWKS was fetched.</summary>
    public int JwksRequests => _jwksRequests;

    private int _jwksRequests;

    public static async Task<OidcIssuer> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new OidcIssuer(app, port);
        app.MapGet("/tenant/v2.0/.well-known/openid-configuration", () => Results.Text(new JsonObject
        {
            ["issuer"] = issuer.Authority,
            ["jwks_uri"] = issuer.Authority + "/keys",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        }.ToJsonString(), "application/json"));
        app.MapGet("/tenant/v2.0/keys", () =>
        {
            Interlocked.Increment(ref issuer._jwksRequests);
            return Results.Text(new JsonObject { ["keys"] = new JsonArray(issuer._key.Jwk()) }.ToJsonString(), "application/json");
        });
        await app.StartAsync();
        return issuer;
    }

    /// <summary>A new signing key and kid; the JWKS serves only the new one from now on.</summary>
    public void RotateKey() => _key = SigningKey.Create();

    /// <summary>
    /// An RS256 token from this issuer for <see cref="Audience"/>, valid for an hour, for client <paramref name="azp"/>
    /// with <paramref name="roles"/>; <paramref name="edit"/> changes the claims before signing.
    /// </summary>
    public string Token(string azp, string[] roles, Action<JsonObject>? edit = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = Authority,
            ["aud"] = Audience,
            ["sub"] = "sub-" + azp,
            ["azp"] = azp,
            ["iat"] = now,
            ["nbf"] = now - 60,
            ["exp"] = now + 3600,
        };
        if (roles.Length > 0)
        {
            claims["roles"] = new JsonArray([.. roles.Select(r => JsonValue.Create(r))]);
        }

        edit?.Invoke(claims);
        return _key.Sign(claims);
    }

    /// <summary>A token signed by a key the issuer never published, under the issuer's current kid.</summary>
    public string TokenSignedByAnotherKey(string azp, string[] roles)
    {
        using var other = RSA.Create(2048);
        var token = Token(azp, roles);
        var parts = token.Split('.');
        var signature = other.SignData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return parts[0] + "." + parts[1] + "." + Base64Url(signature);
    }

    /// <summary>The same claims with <c>alg: none</c> and no signature.</summary>
    public string UnsignedToken(string azp, string[] roles)
    {
        var payload = Token(azp, roles).Split('.')[1];
        return Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "none", typ = "JWT" })) + "." + payload + ".";
    }

    /// <summary>The same claims signed with HS256, using the issuer's public key (its PEM) as the HMAC secret.</summary>
    public string Hs256WithPublicKey(string azp, string[] roles)
    {
        var payload = Token(azp, roles).Split('.')[1];
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT", kid = _key.Kid }));
        var secret = Encoding.ASCII.GetBytes(_key.Rsa.ExportSubjectPublicKeyInfoPem());
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url(signature);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record SigningKey(RSA Rsa, string Kid)
    {
        public static SigningKey Create() => new(RSA.Create(2048), Guid.NewGuid().ToString("N")[..12]);

        public JsonObject Jwk()
        {
            var parameters = Rsa.ExportParameters(includePrivateParameters: false);
            return new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = Kid,
                ["n"] = Base64Url(parameters.Modulus!),
                ["e"] = Base64Url(parameters.Exponent!),
            };
        }

        public string Sign(JsonObject claims)
        {
            var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = Kid }));
            var payload = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
            var signature = Rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return header + "." + payload + "." + Base64Url(signature);
        }
    }
}
