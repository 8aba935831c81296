using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.FrontDesk;

namespace PhotoStudio.Features.Api;

/// <summary>
/// What the OpenAPI document says beyond the controllers' signatures, so a third-party tool can rely on it alone: the
/// tags' descriptions, the headers of the protocol (<c>If-Match</c> and <c>ETag</c>, <c>Idempotency-Key</c>,
/// <c>Location</c>, <c>Retry-After</c>), the errors every operation may answer with (400 for a malformed value, 403 for
/// a key without the scope) and an example of every request body.
/// </summary>
public static class ApiDocument
{
    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Availability"] = "The catalogue (services, rooms, photographers) and free slots, as the booking wizard offers them. Any valid key may read them.",
        ["Bookings"] = "Make bookings (safely retried with Idempotency-Key), read and list them, move them on the board, cancel and reschedule them (each change with If-Match).",
        ["Clients"] = "Find, read, create and update the studio's clients (updates with If-Match).",
    };

    /// <summary>An example of each request body, made of the API's own types so it always fits the schema.</summary>
    private static readonly Dictionary<Type, object> Examples = new()
    {
        [typeof(ApiNewBooking)] = new ApiNewBooking(ServiceId: 1, Start: new DateTime(2030, 6, 3, 9, 0, 0, DateTimeKind.Utc), RoomId: 1,
            PhotographerId: 2, Guests: 2, Client: new ApiNewClient("Maria Petrova", "maria.petrova@example.org", "+44 20 7946 0001"),
            ClientNotes: "Family portrait with a dog.", SendConfirmation: true),
        [typeof(ApiStatusChange)] = new ApiStatusChange("Shooting", null),
        [typeof(ApiCancellation)] = new ApiCancellation("The client is ill and will book again."),
        [typeof(ApiReschedule)] = new ApiReschedule(new DateTime(2030, 6, 4, 13, 30, 0, DateTimeKind.Utc), RoomId: null, PhotographerId: null),
        [typeof(ApiClientInput)] = new ApiClientInput("Maria Petrova", "maria.petrova@example.org", "+44 20 7946 0001",
            "Prefers mornings.", ["family", "returning"], MarketingOptIn: false),
    };

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonPropertyInfo?.AssociatedParameter?.AttributeProvider is { } parameter) Limits(schema, parameter.GetCustomAttributes(true));
            if (context.JsonPropertyInfo is { } property && Choices(property.DeclaringType, property.Name) is { } choices)
                schema.Enum = [.. choices.Select(c => (JsonNode)JsonValue.Create(c))];
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context);
            return Task.CompletedTask;
        });
    }

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var document = context.Document!;
        operation.Parameters ??= [];
        operation.Responses ??= [];

        // A value the API cannot read (a word for a number, a field over its length, broken JSON) is 400.
        if (operation.Parameters.Count > 0 || description.ParameterDescriptions.Count > 0)
            operation.Responses.TryAdd("400", Problem(document, "A value could not be read or breaks a field's limits; `errors` names each field.",
                "HttpValidationProblemDetails"));
        // Operations beyond the catalogue need a scope the key may not have.
        var policies = description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).Where(p => p is not null);
        if (policies.Any(p => p != ApiSetup.AnyKeyPolicy))
            operation.Responses.TryAdd("403", Problem(document, "The key's scopes do not allow this operation.", "ProblemDetails"));

        // A query value of a value type without a default is one the action cannot do without: missing, it reads 0 or
        // 0001-01-01 and refuses it (422), so the contract says it is required.
        foreach (var needed in description.ParameterDescriptions.Where(p => p.Source == BindingSource.Query && p.DefaultValue is null
                     && p.Type is { IsValueType: true } type && Nullable.GetUnderlyingType(type) is null))
            if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.In == ParameterLocation.Query && p.Name == needed.Name) is { } parameter)
                parameter.Required = true;
        foreach (var query in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query && p.Name == "status"))
            if (query.Schema is OpenApiSchema schema) schema.Enum = [.. Enum.GetNames<BookingStatus>().Select(c => (JsonNode)JsonValue.Create(c))];

        if (operation.Responses.TryGetValue("428", out _))
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match", In = ParameterLocation.Header,
                // Not required by the schema so that its absence reaches the API, which answers 428.
                Required = false,
                Description = "The ETag of the version you last read (from its GET or the answer to your last change). " +
                              "Without it the answer is 428; when it changed since, 412.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                Example = JsonValue.Create("\"4711\""),
            });
        if (description.ActionDescriptor.RouteValues["action"] == nameof(BookingsApiController.Create)
            && description.ActionDescriptor.RouteValues["controller"] == "BookingsApi")
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = BookingsApiController.IdempotencyHeader, In = ParameterLocation.Header, Required = false,
                Description = "Your own id of this booking request (up to 100 visible ASCII characters), so a retry cannot book twice.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[!-~]{1,100}$" },
                Example = JsonValue.Create("order-2030-06-03-0017"),
            });

        // JSON is what the API speaks; MVC's other formatters (text/plain, text/json) are no promise to keep.
        foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
            response.Content = Only(response.Content, "application/json", "application/problem+json");
        if (operation.RequestBody is OpenApiRequestBody { Content: { } content } request)
            request.Content = Only(content, "application/json");

        var versioned = description.SupportedResponseTypes
            .Any(r => r.StatusCode is 200 or 201 && (r.Type == typeof(ApiBooking) || r.Type == typeof(ApiClient)));
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete) continue;
            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (versioned && status is "200" or "201")
                concrete.Headers["ETag"] = Header("The version of what the body shows: send it as If-Match to change it.", required: true);
            if (status == "201")
                concrete.Headers["Location"] = Header("The address of what was made.", required: true);
            if (status == "201" && operation.Parameters.Any(p => p.Name == BookingsApiController.IdempotencyHeader))
                concrete.Headers["Idempotency-Replayed"] = Header("`true` when this answers an earlier request with the same Idempotency-Key.", required: false);
            if (status == "429")
                concrete.Headers["Retry-After"] = Header("Seconds to wait before the next request.", required: true, JsonSchemaType.Integer);
        }

        if (operation.RequestBody is OpenApiRequestBody body)
        {
            var type = description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
            body.Description = type is null ? body.Description : BodyDescription(type);
            if (type is not null && Examples.TryGetValue(type, out var example) && body.Content is not null)
            {
                var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.JsonSerializerOptions;
                foreach (var media in body.Content.Values) media.Example = JsonSerializer.SerializeToNode(example, type, json);
            }
        }
    }

    /// <summary>The values a string property of the API's records takes, where it takes a fixed few.</summary>
    private static IReadOnlyList<string>? Choices(Type type, string property) => (type.Name, property) switch
    {
        (nameof(ApiBooking) or nameof(ApiStatusChange), "status") => Enum.GetNames<BookingStatus>(),
        (nameof(ApiNewBooking), "status") => FrontDeskForm.Statuses,
        (nameof(ApiNewBooking) or nameof(ApiBooking), "language") => BookingLanguage.Offered,
        _ => null,
    };

    /// <summary>
    /// The data annotations on a record's constructor parameter (where the API's requests carry them, and where model
    /// validation reads them) as the limits of its property's schema.
    /// </summary>
    private static void Limits(OpenApiSchema schema, object[] attributes)
    {
        var array = schema.Type?.HasFlag(JsonSchemaType.Array) == true;
        foreach (var attribute in attributes)
        {
            switch (attribute)
            {
                case StringLengthAttribute length:
                    schema.MaxLength = length.MaximumLength;
                    if (length.MinimumLength > 0) schema.MinLength = length.MinimumLength;
                    break;
                case MaxLengthAttribute max when array:
                    schema.MaxItems = max.Length;
                    break;
                case MaxLengthAttribute max:
                    schema.MaxLength = max.Length;
                    break;
                case RangeAttribute range:
                    schema.Minimum = Convert.ToString(range.Minimum, CultureInfo.InvariantCulture);
                    schema.Maximum = Convert.ToString(range.Maximum, CultureInfo.InvariantCulture);
                    break;
                case EmailAddressAttribute:
                    schema.Format = "email";
                    break;
                case RequiredAttribute { AllowEmptyStrings: false } when schema.Type?.HasFlag(JsonSchemaType.String) == true:
                    schema.MinLength ??= 1;
                    break;
            }
        }
    }

    private static IDictionary<string, OpenApiMediaType>? Only(IDictionary<string, OpenApiMediaType>? content, params string[] types) =>
        content?.Where(c => types.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value);

    private static string BodyDescription(Type type) => type.Name switch
    {
        nameof(ApiNewBooking) => "The booking: a free slot of GET /api/v1/availability and the client.",
        nameof(ApiStatusChange) => "The status to move to.",
        nameof(ApiCancellation) => "Why the studio cancels.",
        nameof(ApiReschedule) => "The new time, room or photographer.",
        nameof(ApiClientInput) => "The client's details.",
        _ => type.Name,
    };

    private static OpenApiResponse Problem(OpenApiDocument document, string description, string schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(schema, document) },
        },
    };

    private static OpenApiHeader Header(string description, bool required, JsonSchemaType type = JsonSchemaType.String) => new()
    {
        Description = description, Required = required, Schema = new OpenApiSchema { Type = type },
    };
}
