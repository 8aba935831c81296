using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PhotoStudio.Features.Admin.Integrations;
using PhotoStudio.Infrastructure;
using Scalar.AspNetCore;

namespace PhotoStudio.Features.Api;

/// <summary>
/// The JSON API's plumbing: API-key authentication, the OpenAPI document at <c>/openapi/v1.json</c> (every /api/v1
/// operation, its errors and the bearer scheme) and its reference page at <c>/api/docs</c>. Both are open in
/// Development; elsewhere they need a signed-in staff member or a valid key.
/// </summary>
public static class ApiSetup
{
    private static IReadOnlyList<(Microsoft.AspNetCore.Routing.Template.TemplateMatcher Matcher, IReadOnlyList<string> Methods)>? operations;

    /// <summary>The methods the API's operations take at <paramref name="path"/> (constraints aside: a shape match is enough to name them).</summary>
    private static List<string> AllowedMethods(EndpointDataSource endpoints, PathString path)
    {
        operations ??= [.. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/v1/", StringComparison.Ordinal) == true
                        && e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .Select(e => (new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(
                    Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(e.RoutePattern.RawText!.TrimStart('/')), new RouteValueDictionary()),
                e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods))];
        return [.. operations.Where(o => o.Matcher.TryMatch(path, new RouteValueDictionary())).SelectMany(o => o.Methods).Distinct().Order(StringComparer.Ordinal)];
    }

    public const string DocumentName = "v1";
    public const string DocsPath = "/api/docs";
    /// <summary>The policy of operations any valid key may call (what the booking wizard shows everyone).</summary>
    public const string AnyKeyPolicy = "api-key";
    private const string DocsPolicy = "api-docs";
    /// <summary>A staff member's cookie, or a key when the request carries one.</summary>
    private const string StaffOrKey = "staff-or-key";

    public static IServiceCollection AddStudioApi(this IServiceCollection services)
    {
        services.AddScoped<ApiKeys>();
        services.AddScoped<ApiRepresentations>();
        // After MVC's own set-up, which sets its default factory.
        services.PostConfigure<Microsoft.AspNetCore.Mvc.ApiBehaviorOptions>(o => o.InvalidModelStateResponseFactory = ApiProblems.Unreadable);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeys.Scheme, null)
            .AddPolicyScheme(StaffOrKey, null, o => o.ForwardDefaultSelector = context =>
                ApiKeys.BearerToken(context.Request) is null ? IdentityConstants.ApplicationScheme : ApiKeys.Scheme);
        services.AddAuthorizationBuilder()
            .AddPolicy(AnyKeyPolicy, p => p.AddAuthenticationSchemes(ApiKeys.Scheme).RequireAuthenticatedUser())
            .AddPolicy(DocsPolicy, p => p.AddAuthenticationSchemes(StaffOrKey).RequireAuthenticatedUser());
        // The document's schemas follow these options: numbers are numbers (not "a number or a numeric string").
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        services.AddOpenApi(DocumentName, o =>
        {
            ApiDocument.Configure(o);
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "PhotoStudio API",
                    Version = "v1",
                    Description = "Book sessions, read availability and keep clients in sync with a PhotoStudio studio. " +
                                  "Authenticate with an API key from /admin/integrations as 'Authorization: Bearer psk_…'. " +
                                  "Times are UTC (ISO 8601); dates without a time are the studio's local dates (see timeZone). " +
                                  "Errors are RFC 9457 problem details.",
                    License = new OpenApiLicense { Name = "Proprietary", Url = new Uri("https://example.com/photostudio/license") },
                    Contact = new OpenApiContact { Name = "The studio's administrator" },
                };
                document.Servers = [new OpenApiServer { Url = "/", Description = "This studio" }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeys.Scheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "psk_{prefix}_{secret}",
                    Description = "An API key made at /admin/integrations. It may do what its scopes allow, never more than its creator.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeys.Scheme, document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static void MapStudioApi(this WebApplication app)
    {
        var openApi = app.MapOpenApi("/openapi/{documentName}.json");
        var docs = app.MapScalarApiReference(DocsPath, (options, context) =>
        {
            options.Title = "PhotoStudio API";
            options.OpenApiRoutePattern = "/openapi/{documentName}.json";
            options.Nonce = context.CspNonce();
            options.Telemetry = false;
            options.DefaultFonts = false;
            options.HideClientButton = true;
            options.AddPreferredSecuritySchemes([ApiKeys.Scheme]);
            // Scalar styles its page with inline styles, which the site-wide policy refuses; scripts still need the nonce.
            context.Response.Headers.ContentSecurityPolicy =
                $"default-src 'self'; script-src 'self' 'nonce-{context.CspNonce()}'; style-src 'self' 'unsafe-inline'; " +
                "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; " +
                "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
        });
        if (app.Environment.IsDevelopment())
        {
            openApi.AllowAnonymous();
            docs.AllowAnonymous();
        }
        else
        {
            openApi.RequireAuthorization(DocsPolicy);
            docs.RequireAuthorization(DocsPolicy);
        }
        // Unknown API addresses answer in the API's own format: 405 with Allow for an operation's address asked with
        // another method, else 404.
        app.MapFallback("api/{**path}", (HttpContext context, EndpointDataSource endpoints) =>
            {
                var allowed = AllowedMethods(endpoints, context.Request.Path);
                if (allowed.Count == 0) return Results.Problem(ApiProblems.Problem(context, 404, "There is no such operation."));
                context.Response.Headers.Allow = string.Join(", ", allowed);
                return Results.Problem(ApiProblems.Problem(context, 405, $"This address takes {string.Join(", ", allowed)}."));
            })
            .AllowAnonymous().ExcludeFromDescription();
    }
}
