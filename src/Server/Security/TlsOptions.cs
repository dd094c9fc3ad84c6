namespace DocStore.Server.Security;

/// <summary>The gRPC port's server certificate (<c>DocStore:Tls</c>).</summary>
public sealed class TlsOptions
{
    /// <summary>
    /// The PEM certificate (chain) of the gRPC port (<c>DocStore:Tls:CertificatePath</c>). When it is set, every gRPC
    /// port serves HTTP/2 over TLS only, and a renewed file is picked up without a restart. Defaults to empty: plaintext (h2c).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/> (<c>DocStore:Tls:KeyPath</c>).</summary>
    public string? KeyPath { get; set; }

    /// <summary>Whether TLS is on.</summary>
    internal bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
