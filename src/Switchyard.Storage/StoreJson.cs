using System.Text.Json.Serialization;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage;

[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, AliasLimits>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StoreJson : JsonSerializerContext;
