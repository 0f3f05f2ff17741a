namespace ImeiEir.Node.Http;

/// <summary>Source-generated JSON of the N5g-eir answer: no reflection on the 5G core's path.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(EirResponseData))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class N5gJson : System.Text.Json.Serialization.JsonSerializerContext;
