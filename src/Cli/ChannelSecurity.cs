using System.CommandLine;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace DocStore.Cli;

/// <summary>
/// How the tools reach a server that uses TLS or authenticates callers: <c>--token</c> (a bearer token sent on every
/// call), <c>--ca</c> (a PEM bundle that the server certificate must chain to, in place of the system's trust) and
/// <c>--cert</c>/<c>--key</c> (a PEM client certificate, for mTLS).
/// </summary>
internal sealed record ChannelSecurity(string? Token, X509Certificate2Collection? TrustedCas, X509Certificate2? ClientCertificate)
{
    public static ChannelSecurity None { get; } = new(null, null, null);

    /// <summary>Wraps <paramref name="handler"/>: client certificate and CA trust on its TLS options, and the token on each request.</summary>
    public HttpMessageHandler Apply(SocketsHttpHandler handler)
    {
        if (ClientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [ClientCertificate];
        }

        if (TrustedCas is { } cas)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(cas);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return chain.Build(server);
            };
        }

        return Token is null ? handler : new BearerHandler(Token, handler);
    }

    /// <summary>The four options, to add to a command.</summary>
    public sealed class Options
    {
        public Option<string?> Token { get; } = new("--token") { Description = "A bearer token sent on every call (servers with DocStore:Auth:Mode=Jwt)" };

        public Option<string?> Ca { get; } = new("--ca") { Description = "PEM file of the CA(s) the server's TLS certificate must chain to" };

        public Option<string?> Cert { get; } = new("--cert") { Description = "PEM client certificate for mTLS (servers with DocStore:Auth:Mode=Certificate); needs --key" };

        public Option<string?> Key { get; } = new("--key") { Description = "PEM private key of --cert" };

        public void AddTo(Command command)
        {
            command.Options.Add(Token);
            command.Options.Add(Ca);
            command.Options.Add(Cert);
            command.Options.Add(Key);
        }

        /// <summary>The security the options ask for, or an error naming the option.</summary>
        public (ChannelSecurity? Security, string? Error) Read(ParseResult parse)
        {
            var (cert, key) = (parse.GetValue(Cert), parse.GetValue(Key));
            if ((cert is null) != (key is null))
            {
                return (null, "--cert and --key go together.");
            }

            try
            {
                X509Certificate2Collection? cas = null;
                if (parse.GetValue(Ca) is { } ca)
                {
                    cas = [];
                    cas.ImportFromPemFile(ca);
                }

                X509Certificate2? client = null;
                if (cert is not null)
                {
                    using var pem = X509Certificate2.CreateFromPemFile(cert, key);
                    client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
                }

                return (new ChannelSecurity(parse.GetValue(Token), cas, client), null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                return (null, $"--ca, --cert or --key cannot be loaded: {e.Message}");
            }
        }
    }

    private sealed class BearerHandler(string token, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly AuthenticationHeaderValue _header = new("Bearer", token);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = _header;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
