using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace DocStore.Server.Security;

/// <summary>The names a client certificate gives its caller: its URI SANs (SPIFFE IDs) first, then its subject.</summary>
internal static class ClientCertificateNames
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    /// <summary>Every name, most specific first: <c>spiffe://…</c> URI SANs, then the subject (<c>CN=…</c>).</summary>
    public static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        var names = new List<string>(UriSans(certificate)) { certificate.Subject };
        return names;
    }

    private static List<string> UriSans(X509Certificate2 certificate)
    {
        var uris = new List<string>();
        if (certificate.Extensions[SubjectAlternativeNameOid] is not { } extension)
        {
            return uris;
        }

        try
        {
            // GeneralNames ::= SEQUENCE OF GeneralName; uniformResourceIdentifier is [6] IA5String (implicit).
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
            while (names.HasData)
            {
                if (names.PeekTag().HasSameClassAndValue(uriTag))
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension names nobody; the subject still does.
        }

        return uris;
    }
}
