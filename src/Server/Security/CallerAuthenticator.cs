using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace DocStore.Server.Security;

/// <summary>
/// Authenticates a call explicitly, through ASP.NET Core's JWT bearer or certificate handler, and never challenges: a
/// failure becomes UNAUTHENTICATED in <see cref="AuthorizationInterceptor"/>, not an HTTP 401. A validated token or
/// certificate is remembered until it expires (certificates: at most <see cref="CertificateRecheck"/>), so the
/// signature and chain checks run once per credential, not once per call.
/// </summary>
internal sealed class CallerAuthenticator(AuthOptions options, TimeProvider time)
{
    /// <summary>How many validated credentials are remembered; past it the cache starts over.</summary>
    private const int Capacity = 10_000;

    private static readonly TimeSpan CertificateRecheck = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Caller> _validated = new(StringComparer.Ordinal);

    public AuthMode Mode => options.Mode;

    public ValueTask<Authentication> AuthenticateAsync(HttpContext http) => options.Mode switch
    {
        AuthMode.Jwt => AuthenticateTokenAsync(http),
        AuthMode.Certificate => AuthenticateCertificateAsync(http),
        _ => ValueTask.FromResult(new Authentication(Caller.Anonymous, null)),
    };

    private async ValueTask<Authentication> AuthenticateTokenAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return Authentication.Failed("no bearer token");
        }

        var token = header["Bearer ".Length..].Trim();
        if (Remembered(token) is { } known)
        {
            return new Authentication(known, null);
        }

        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!result.Succeeded)
        {
            // The exception's type says what failed (expired, signature, audience, ...) without any of the token.
            return Authentication.Failed("token rejected: " + (result.Failure?.GetType().Name ?? "no result"));
        }

        var user = result.Principal;
        var principal = First(user, "azp") ?? First(user, "appid") ?? First(user, "sub") ?? "unnamed";
        var names = new[] { First(user, "azp"), First(user, "appid"), First(user, "sub") }.OfType<string>();
        // The handler puts the token's exp into the properties; RequireExpirationTime makes sure there is one.
        var expires = result.Properties?.ExpiresUtc
            ?? (long.TryParse(First(user, "exp"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : time.GetUtcNow());
        var caller = new Caller(principal, PermissionSet.For(names, user.FindAll(options.Jwt.RolesClaim).Select(c => c.Value), options.Grants), expires);
        Remember(token, caller);
        return new Authentication(caller, null);
    }

    private async ValueTask<Authentication> AuthenticateCertificateAsync(HttpContext http)
    {
        var certificate = await http.Connection.GetClientCertificateAsync(http.RequestAborted);
        if (certificate is null)
        {
            return Authentication.Failed("no client certificate");
        }

        var key = "x509:" + Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (Remembered(key) is { } known)
        {
            return new Authentication(known, null);
        }

        var result = await http.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme);
        if (!result.Succeeded)
        {
            return Authentication.Failed("certificate rejected: " + (result.Failure?.Message ?? "no result"));
        }

        var names = ClientCertificateNames.Of(certificate);
        var expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var recheck = time.GetUtcNow() + CertificateRecheck;
        var caller = new Caller(names[0], PermissionSet.For(names, [], options.Grants), expires < recheck ? expires : recheck);
        Remember(key, caller);
        return new Authentication(caller, null);
    }

    private Caller? Remembered(string key)
    {
        if (!_validated.TryGetValue(key, out var caller))
        {
            return null;
        }

        if (caller.ExpiresAt > time.GetUtcNow())
        {
            return caller;
        }

        _validated.TryRemove(key, out _);
        return null;
    }

    private void Remember(string key, Caller caller)
    {
        if (_validated.Count >= Capacity)
        {
            _validated.Clear();
        }

        _validated[key] = caller;
    }

    private static string? First(ClaimsPrincipal user, string type) => user.FindFirst(type)?.Value;
}
