using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace DocStore.Server.Tests.Security;

/// <summary>gRPC channels over TLS to a test server, trusting only the test's CA, optionally with a client certificate.</summary>
public static class TlsClient
{
    /// <summary>A channel to <c>https://127.0.0.1:{port}</c>; <paramref name="seen"/> receives the server certificate of each handshake.</summary>
    public static GrpcChannel Channel(int port, X509Certificate2 trustedCa, X509Certificate2? clientCertificate = null, Action<X509Certificate2>? seen = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    seen?.Invoke(server);
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(server);
                },
            },
        };
        return GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler });
    }
}
