using Microsoft.Extensions.Options;

namespace DocStore.Server.Security;

/// <summary>Checks <c>DocStore:Tls</c> and <c>DocStore:Health</c> at start-up, naming the key of each problem.</summary>
internal sealed class TlsOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        var problems = new List<string>();
        var tls = options.Tls;
        if (string.IsNullOrWhiteSpace(tls.CertificatePath) != string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            problems.Add("DocStore:Tls:CertificatePath and DocStore:Tls:KeyPath must be set together (PEM files, e.g. a cert-manager Secret's tls.crt and tls.key).");
        }
        else if (tls.Enabled)
        {
            try
            {
                using var certificate = ServerCertificate.Load(tls.CertificatePath!, tls.KeyPath!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                problems.Add($"DocStore:Tls:CertificatePath '{tls.CertificatePath}' and DocStore:Tls:KeyPath '{tls.KeyPath}' do not load as a PEM certificate and its key: {e.GetType().Name}.");
            }
        }

        var port = options.Health.Port;
        if (port is < 0 or > 65535)
        {
            problems.Add($"DocStore:Health:Port must be a TCP port (1-65535), or 0 for none, not {port}.");
        }
        else if (port > 0 && port == options.Metrics.Port)
        {
            problems.Add($"DocStore:Health:Port and DocStore:Metrics:Port are both {port}; give each its own port.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
