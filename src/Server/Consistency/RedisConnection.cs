using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace DocStore.Server.Consistency;

/// <summary>
/// How the server connects to Redis: the StackExchange.Redis configuration string of <c>DocStore:Redis:Configuration</c>,
/// made safe for a service that must start and serve without Redis, and, with <c>DocStore:Redis:TrustedCaPath</c>,
/// a TLS server certificate checked against the CAs in that file only.
/// </summary>
internal static class RedisConnection
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>The options the server's one <see cref="ConnectionMultiplexer"/> is made with.</summary>
    public static ConfigurationOptions CreateOptions(RedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var options = ConfigurationOptions.Parse(redis.Configuration!);

        // It never blocks start-up for long and never fails it: a Redis that is down is retried in the
        // background, and until it answers, commands fail at once instead of queueing.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.ReconnectRetryPolicy ??= new LinearRetry(500);
        options.ClientName ??= "docstore";
        if (!string.IsNullOrWhiteSpace(redis.TrustedCaPath))
        {
            var trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(redis.TrustedCaPath);
            options.CertificateValidation += (_, certificate, _, errors) => IsTrusted(trusted, certificate, errors);
        }

        return options;
    }

    /// <summary>
    /// Whether a Redis server certificate is acceptable: it names the host connected to (no error other than the
    /// chain's), chains to one of <paramref name="trusted"/>, the machine's own roots playing no part, and is for
    /// server authentication.
    /// </summary>
    internal static bool IsTrusted(X509Certificate2Collection trusted, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.ExtraStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // A certificate issued for something else (a client certificate of the same CA) does not serve.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthentication));
        return chain.Build(leaf);
    }
}
