using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using DocStore.Server.Storage;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// Finds a document's id and partition key in its bytes without reading the rest of it: for the audit trail of a
/// write refused before the service read its document (a denial, a failed authentication). The same
/// <see cref="DocumentKeys"/> that the transcoders use decides what a property is; this walk only enters the objects
/// on the partition key path, skips every other value, and stops once both keys are settled. It checks nothing else
/// (the service's reading does that), allocates only the keys' strings, and gives up without an exception on bytes
/// that are not a JSON object or a Struct: the keys then are what was found before, usually none.
/// </summary>
internal static class DocumentKeyScan
{
    /// <summary>The keys of the one document given as Struct bytes or as JSON; null when neither or both are set.</summary>
    public static DocumentKeys? Find(ReadOnlyMemory<byte>? document, ReadOnlyMemory<byte>? documentJson, JsonPointer partitionKeyPath)
    {
        if ((document is null) == (documentJson is null))
        {
            return null;
        }

        var keys = new DocumentKeys(partitionKeyPath);
        try
        {
            if (documentJson is { } json)
            {
                ScanJson(json.Span, keys);
            }
            else
            {
                ScanStruct(document!.Value.Span, keys, level: 1);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or MalformedWireException)
        {
            // Not a document: the keys stay as far as they were found.
        }

        return keys;
    }

    private static void ScanJson(ReadOnlySpan<byte> json, DocumentKeys keys)
    {
        var reader = new Utf8JsonReader(json, JsonDocumentReader.Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        var level = 1;
        var role = KeyRole.None;
        while (!keys.Settled && reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    role = reader.ValueIsEscaped
                        ? keys.OnProperty(level, Encoding.UTF8.GetBytes(reader.GetString()!))
                        : keys.OnProperty(level, reader.ValueSpan);
                    continue;
                case JsonTokenType.StartObject when (role & KeyRole.PartitionKeyParent) != 0:
                    keys.OnOther(role, ValueKind.Object);
                    level++;
                    break;
                case JsonTokenType.EndObject:
                    keys.OnEndObject(level--);
                    break;
                case JsonTokenType.String when role != KeyRole.None:
                    keys.OnString(role, reader.GetString()!);
                    break;
                default:
                    if (role != KeyRole.None)
                    {
                        keys.OnOther(role, JsonDocumentReader.Kind(reader.TokenType));
                    }

                    // Objects and arrays off the partition key path are skipped whole.
                    reader.Skip();
                    break;
            }

            role = KeyRole.None;
        }
    }

    private static void ScanStruct(ReadOnlySpan<byte> bytes, DocumentKeys keys, int level)
    {
        var reader = new ProtoReader(bytes);
        while (!reader.End && !keys.Settled)
        {
            var tag = reader.ReadTag();
            if (tag != StructToJson.FieldsTag)
            {
                reader.Skip(tag);
                continue;
            }

            StructToJson.ReadEntry(reader.ReadLengthDelimited(), out var name, out var value);
            var role = keys.OnProperty(level, name);
            if (role != KeyRole.None)
            {
                OnValue(value, keys, level, role);
            }
        }

        if (!keys.Settled)
        {
            keys.OnEndObject(level);
        }
    }

    private static void OnValue(ReadOnlySpan<byte> value, DocumentKeys keys, int level, KeyRole role)
    {
        var kind = StructToJson.ReadValue(value, out _, out var payload);
        switch (kind)
        {
            case StructToJson.StringTag when Utf8.IsValid(payload):
                keys.OnString(role, Encoding.UTF8.GetString(payload));
                break;
            case StructToJson.StringTag or 0:
                // Not valid UTF-8, or no kind: the document cannot be read there.
                throw new MalformedWireException("has a key that is not a value");
            case StructToJson.StructTag:
                keys.OnOther(role, ValueKind.Object);
                if ((role & KeyRole.PartitionKeyParent) != 0)
                {
                    ScanStruct(payload, keys, level + 1);
                }

                break;
            default:
                keys.OnOther(role, kind switch
                {
                    StructToJson.NullTag => ValueKind.Null,
                    StructToJson.BoolTag => ValueKind.Boolean,
                    StructToJson.NumberTag => ValueKind.Number,
                    _ => ValueKind.List,
                });
                break;
        }
    }
}
