using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DocStore.Server.Security;

/// <summary>Registers TLS, caller authentication, the authorization interceptor and the audit trail.</summary>
internal static class SecurityHostingExtensions
{
    /// <summary>Signature algorithms a token may use: asymmetric only, so <c>none</c> and HS256 (signed with a public key) fail.</summary>
    private static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>
    /// Adds what <c>DocStore:Auth</c>, <c>DocStore:Tls</c> and <c>DocStore:Health</c> ask for. Call after the gRPC
    /// services and the metrics listener are registered: TLS goes on every listener but the metrics and health ports.
    /// </summary>
    public static void AddDocStoreSecurity(this IHostApplicationBuilder builder, DocStoreOptions settings)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.TryAddSingleton(ListenAddresses.From(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, AuthOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, TlsOptionsValidator>());
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Auth);
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Health);
        services.TryAddSingleton<CallerAuthenticator>();
        services.TryAddSingleton<Audit>();

        // grpc-dotnet logs every error status with its detail at Information, and DocStore's details name the document's
        // id and partition key, which only the audit trail may hold; the audit trail and the metrics record the statuses.
        builder.Logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Warning);

        // Its place among the interceptors is set with the others in AddDocStore.
        services.TryAddSingleton<AuthorizationInterceptor>();

        var auth = settings.Auth;
        if (auth.Mode != AuthMode.None)
        {
            // With one scheme registered, ASP.NET Core would make it the default and authenticate every request before
            // the interceptor, uncached, and health probes too. The interceptor authenticates, once per credential.
            AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        }

        if (auth.Mode == AuthMode.Jwt)
        {
            services.AddAuthentication().AddJwtBearer(options => ConfigureJwt(options, auth.Jwt));
        }
        else if (auth.Mode == AuthMode.Certificate)
        {
            services.AddAuthentication().AddCertificate(options => ConfigureCertificate(options, auth.Certificate));
        }

        if (settings.Tls.Enabled)
        {
            services.TryAddSingleton(provider => new ServerCertificate(
                provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Tls, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<ServerCertificate>>()));
            services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>((kestrel, provider) => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.ServerCertificateSelector = (_, _) => provider.GetRequiredService<ServerCertificate>().Current;
                if (auth.Mode == AuthMode.Certificate)
                {
                    // The handshake takes any certificate; the certificate handler judges it against TrustedCaPath, so a
                    // bad one is answered with UNAUTHENTICATED instead of a failed handshake the caller cannot read.
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.ClientCertificateValidation = (_, _, _) => true;
                }
            }));
        }

        SecureEndpoints.Configure(configuration, settings);
    }

    private static void ConfigureJwt(JwtBearerOptions options, JwtAuthOptions jwt)
    {
        options.Authority = jwt.Authority;
        options.Audience = jwt.Audience;
        options.RequireHttpsMetadata = !(Uri.TryCreate(jwt.Authority, UriKind.Absolute, out var authority) && AuthOptionsValidator.IsLoopback(authority));
        options.MapInboundClaims = false;

        // Keys come from the issuer's discovery document and JWKS; a token with an unknown kid (the issuer rotated its
        // keys) fetches them again in the background, at most this often (ASP.NET Core's default is 5 minutes, which
        // would refuse a rotated issuer's callers that long).
        options.RefreshOnIssuerKeyNotFound = true;
        options.RefreshInterval = TimeSpan.FromSeconds(5);
        options.TokenValidationParameters.ValidAlgorithms = AsymmetricAlgorithms;
        options.TokenValidationParameters.RoleClaimType = jwt.RolesClaim;
        options.TokenValidationParameters.NameClaimType = "sub";
        options.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(1);
        options.TokenValidationParameters.RequireExpirationTime = true;
        options.TokenValidationParameters.RequireSignedTokens = true;

        // DocStore never challenges: a failure is a gRPC UNAUTHENTICATED from the interceptor, not an HTTP 401.
        options.Events = new JwtBearerEvents
        {
            OnChallenge = context =>
            {
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }

    private static void ConfigureCertificate(CertificateAuthenticationOptions options, CertificateAuthOptions certificate)
    {
        options.AllowedCertificateTypes = CertificateTypes.Chained;
        options.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
        options.RevocationMode = X509RevocationMode.NoCheck;
        options.ValidateValidityPeriod = true;
        options.ValidateCertificateUse = true;
        if (!string.IsNullOrWhiteSpace(certificate.TrustedCaPath) && File.Exists(certificate.TrustedCaPath))
        {
            options.CustomTrustStore.ImportFromPemFile(certificate.TrustedCaPath);
        }

        options.Events = new CertificateAuthenticationEvents
        {
            OnChallenge = context =>
            {
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }
}
