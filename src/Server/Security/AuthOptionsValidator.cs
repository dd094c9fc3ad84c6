using Microsoft.Extensions.Options;

namespace DocStore.Server.Security;

/// <summary>Checks <c>DocStore:Auth</c> at start-up, naming the key of each problem.</summary>
internal sealed class AuthOptionsValidator(ListenAddresses addresses) : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        var auth = options.Auth;
        var problems = new List<string>();
        switch (auth.Mode)
        {
            case AuthMode.None:
                if (!auth.AllowAnonymous && addresses.FirstNonLoopback() is { } exposed)
                {
                    problems.Add($"DocStore:Auth:AllowAnonymous must be true to serve without authentication (DocStore:Auth:Mode=None) on {exposed}, "
                        + "which is not a loopback address; set DocStore:Auth:Mode to Jwt or Certificate, or listen on localhost only.");
                }

                break;
            case AuthMode.Jwt:
                ValidateJwt(auth.Jwt, problems);
                break;
            case AuthMode.Certificate:
                ValidateCertificate(auth.Certificate, options.Tls, problems);
                break;
            default:
                problems.Add($"DocStore:Auth:Mode must be 'None', 'Jwt' or 'Certificate', not '{auth.Mode}'.");
                break;
        }

        for (var i = 0; i < auth.Grants.Count; i++)
        {
            var grant = auth.Grants[i];
            var key = $"DocStore:Auth:Grants:{i}";
            if (string.IsNullOrWhiteSpace(grant.Principal))
            {
                problems.Add($"{key}:Principal is required: a SPIFFE ID, a certificate subject, or a token's azp, appid or sub.");
            }

            if (grant.Collections.Count == 0 || grant.Collections.Any(string.IsNullOrWhiteSpace))
            {
                problems.Add($"{key}:Collections must list collection names, or '*' for all.");
            }

            if (grant.Actions.Count == 0 || grant.Actions.Any(a => !DocStoreActions.Known.Contains(a)))
            {
                problems.Add($"{key}:Actions must list actions among {string.Join(", ", DocStoreActions.Known)}, not '{string.Join(", ", grant.Actions)}'.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Whether <paramref name="authority"/> may be fetched over plain HTTP: only on this machine.</summary>
    public static bool IsLoopback(Uri authority) => authority.IsLoopback;

    private static void ValidateJwt(JwtAuthOptions jwt, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(jwt.Authority))
        {
            problems.Add("DocStore:Auth:Jwt:Authority is required with DocStore:Auth:Mode=Jwt (for example 'https://login.microsoftonline.com/<tenant>/v2.0').");
        }
        else if (!Uri.TryCreate(jwt.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"DocStore:Auth:Jwt:Authority must be an https:// URL, not '{jwt.Authority}'.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && !IsLoopback(authority))
        {
            problems.Add($"DocStore:Auth:Jwt:Authority must use https://; http:// is accepted only for a loopback issuer, not '{jwt.Authority}'.");
        }

        if (string.IsNullOrWhiteSpace(jwt.Audience))
        {
            problems.Add("DocStore:Auth:Jwt:Audience is required with DocStore:Auth:Mode=Jwt (for example 'api://docstore').");
        }

        if (string.IsNullOrWhiteSpace(jwt.RolesClaim))
        {
            problems.Add("DocStore:Auth:Jwt:RolesClaim must name a claim (default 'roles').");
        }
    }

    private static void ValidateCertificate(CertificateAuthOptions certificate, TlsOptions tls, List<string> problems)
    {
        if (!tls.Enabled)
        {
            problems.Add("DocStore:Auth:Mode=Certificate needs TLS: set DocStore:Tls:CertificatePath and DocStore:Tls:KeyPath.");
        }

        if (string.IsNullOrWhiteSpace(certificate.TrustedCaPath))
        {
            problems.Add("DocStore:Auth:Certificate:TrustedCaPath is required with DocStore:Auth:Mode=Certificate: a PEM bundle of the client CAs.");
            return;
        }

        if (DocStoreSettings.PemBundleProblem("DocStore:Auth:Certificate:TrustedCaPath", certificate.TrustedCaPath) is { } problem)
        {
            problems.Add(problem);
        }
    }
}
