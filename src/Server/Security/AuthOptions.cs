namespace DocStore.Server.Security;

/// <summary>How callers prove who they are.</summary>
public enum AuthMode
{
    /// <summary>No caller identity: every caller may do everything. Needs <see cref="AuthOptions.AllowAnonymous"/> off loopback.</summary>
    None,

    /// <summary>An OAuth 2.0 bearer token (a JWT) from an OpenID Connect issuer such as Microsoft Entra ID.</summary>
    Jwt,

    /// <summary>A client certificate (mTLS) issued by a trusted CA; needs TLS.</summary>
    Certificate,
}

/// <summary>Caller identity and permissions (<c>DocStore:Auth</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>How callers authenticate (<c>DocStore:Auth:Mode</c>). Defaults to <see cref="AuthMode.None"/>.</summary>
    public AuthMode Mode { get; set; } = AuthMode.None;

    /// <summary>The JWT issuer and audience (<c>DocStore:Auth:Jwt</c>), used when <see cref="Mode"/> is <see cref="AuthMode.Jwt"/>.</summary>
    public JwtAuthOptions Jwt { get; set; } = new();

    /// <summary>Accepted client certificates (<c>DocStore:Auth:Certificate</c>), used when <see cref="Mode"/> is <see cref="AuthMode.Certificate"/>.</summary>
    public CertificateAuthOptions Certificate { get; set; } = new();

    /// <summary>
    /// Permissions for callers by name (<c>DocStore:Auth:Grants:&lt;n&gt;</c>): for certificates, whose
    /// callers carry no roles, and for tokens without a roles claim. Defaults to none.
    /// </summary>
    public IList<GrantOptions> Grants { get; } = [];

    /// <summary>
    /// Serve with <see cref="AuthMode.None"/> on an address other than loopback (<c>DocStore:Auth:AllowAnonymous</c>).
    /// Without it, such a server refuses to start. Defaults to false.
    /// </summary>
    public bool AllowAnonymous { get; set; }
}

/// <summary>The OpenID Connect issuer whose tokens are accepted (<c>DocStore:Auth:Jwt</c>).</summary>
public sealed class JwtAuthOptions
{
    /// <summary>
    /// The issuer (<c>DocStore:Auth:Jwt:Authority</c>), e.g. <c>https://login.microsoftonline.com/&lt;tenant&gt;/v2.0</c>.
    /// Its discovery document and JWKS give the signing keys. <c>http://</c> is accepted only for a loopback host.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>aud</c> claim (<c>DocStore:Auth:Jwt:Audience</c>), e.g. <c>api://docstore</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that holds the caller's permissions (<c>DocStore:Auth:Jwt:RolesClaim</c>). Defaults to <c>roles</c> (Entra ID app roles).</summary>
    public string RolesClaim { get; set; } = "roles";
}

/// <summary>Accepted client certificates (<c>DocStore:Auth:Certificate</c>).</summary>
public sealed class CertificateAuthOptions
{
    /// <summary>A PEM bundle of the CAs whose client certificates are accepted (<c>DocStore:Auth:Certificate:TrustedCaPath</c>).</summary>
    public string? TrustedCaPath { get; set; }
}

/// <summary>Permissions granted to one caller (<c>DocStore:Auth:Grants:&lt;n&gt;</c>).</summary>
public sealed class GrantOptions
{
    /// <summary>
    /// The caller (<c>:Principal</c>): a client certificate's SPIFFE URI SAN (<c>spiffe://cluster.local/ns/shop/sa/orders</c>)
    /// or subject (<c>CN=orders</c>), or a token's <c>azp</c>, <c>appid</c> or <c>sub</c>.
    /// </summary>
    public string? Principal { get; set; }

    /// <summary>The collections (<c>:Collections:&lt;n&gt;</c>); <c>*</c> for all.</summary>
    public IList<string> Collections { get; } = [];

    /// <summary>The actions (<c>:Actions:&lt;n&gt;</c>): read, query, changes, create, replace, upsert, patch, delete, write or <c>*</c>.</summary>
    public IList<string> Actions { get; } = [];
}
