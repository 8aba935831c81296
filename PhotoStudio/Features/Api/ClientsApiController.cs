using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Clients;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Api;

/// <summary>A client of the studio. Erased clients are not listed and have no data left to show.</summary>
/// <param name="Id">The client's id.</param>
/// <param name="Name">Their name.</param>
/// <param name="Email">Their email address (lower case; unique among clients).</param>
/// <param name="Phone">Their phone number as given.</param>
/// <param name="Notes">Staff's notes about them.</param>
/// <param name="Tags">Staff's tags.</param>
/// <param name="MarketingOptIn">Whether they agreed to marketing email.</param>
/// <param name="Source">How they first came: web, phone, walk-in, instagram, api …</param>
/// <param name="CreatedAt">When the record was made, UTC.</param>
/// <param name="Version">The row version: send it back as If-Match to change the client.</param>
public record ApiClient(int Id, string Name, string Email, string Phone, string Notes, IReadOnlyList<string> Tags, bool MarketingOptIn,
    string Source, DateTime CreatedAt, uint Version);

/// <summary>A page of clients and the cursor of the next one.</summary>
/// <param name="Items">The clients of this page, by id.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public record ApiClientPage(IReadOnlyList<ApiClient> Items, string? NextCursor);

/// <summary>A client's details, to create or replace them.</summary>
/// <param name="Name">Their name.</param>
/// <param name="Email">Their email address; another client's is refused.</param>
/// <param name="Phone">Their phone number.</param>
/// <param name="Notes">Staff's notes.</param>
/// <param name="Tags">Up to 20 tags of up to 40 characters.</param>
/// <param name="MarketingOptIn">Whether they agreed to marketing email (a change is logged as a consent).</param>
public record ApiClientInput(
    [Required, StringLength(200)] string Name,
    [Required, EmailAddress, StringLength(254)] string Email,
    [StringLength(40)] string? Phone = null,
    [StringLength(4000)] string? Notes = null,
    [MaxLength(ClientForm.MaxTags)] IReadOnlyList<string>? Tags = null,
    bool MarketingOptIn = false)
{
    public ClientForm Form(uint version = 0) => new()
    {
        Name = Name, Email = Email, Phone = Phone, Notes = Notes, Tags = string.Join(", ", Tags ?? []), MarketingOptIn = MarketingOptIn,
        Version = version,
    };
}

/// <summary>Clients: found, read, created and updated with the same rules as the client pages.</summary>
[Route("api/v1/clients")]
[Tags("Clients")]
public class ClientsApiController(StudioDb db, ClientDirectory directory) : ApiControllerBase
{
    public const int MaxPage = 200;

    /// <summary>Find clients.</summary>
    /// <param name="q">Part of a name, an email address or a phone number (up to 100 characters).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the page before.</param>
    /// <param name="limit">Clients per page, 1–200 (default 50).</param>
    /// <param name="ct">Aborted with the request.</param>
    [HttpGet("", Name = "listClients")]
    [Authorize(Policy = Permissions.ClientsView)]
    [ProducesResponseType<ApiClientPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<IActionResult> List(string? q, string? cursor, int limit = 50, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var after = 0;
        if (cursor is not null && !(int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after) && after >= 0))
            errors["cursor"] = ["Pass the nextCursor of the page before, as it was."];
        if (limit is < 1 or > MaxPage) errors["limit"] = [$"From 1 to {MaxPage}."];
        if (q?.Length > 100) errors["q"] = ["At most 100 characters."];
        if (errors.Count > 0) return Invalid(errors);

        var query = db.Clients.Where(c => c.ErasedAt == null && c.Id > after);
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(c => EF.Functions.ILike(c.SearchText, Like.Containing(q.Trim())));
        var page = await Project(query.OrderBy(c => c.Id).Take(limit + 1)).ToListAsync(ct);
        var more = page.Count > limit;
        var items = page.Take(limit).ToList();
        return Ok(new ApiClientPage(items, more ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    /// <summary>Get a client.</summary>
    [HttpGet("{id:int}", Name = "getClient")]
    [Authorize(Policy = Permissions.ClientsView)]
    [ProducesResponseType<ApiClient>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Get(int id, CancellationToken ct)
    {
        if (await Project(db.Clients.Where(c => c.Id == id && c.ErasedAt == null)).FirstOrDefaultAsync(ct) is not { } client)
            return Refuse(StatusCodes.Status404NotFound, "There is no such client.");
        Response.Headers.ETag = ETag(client.Version);
        return Ok(client);
    }

    /// <summary>Create a client.</summary>
    [HttpPost("", Name = "createClient")]
    [Authorize(Policy = Permissions.ClientsManage)]
    [ProducesResponseType<ApiClient>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<IActionResult> Create([FromBody] ApiClientInput request, CancellationToken ct) =>
        await AnswerAsync(await directory.CreateAsync(request.Form(), "api", Actor, ct), async done =>
        {
            var id = ((Outcome.Done<Client>)done).Value.Id;
            var client = await Project(db.Clients.Where(c => c.Id == id)).SingleAsync(ct);
            Response.Headers.ETag = ETag(client.Version);
            return Created($"/api/v1/clients/{id}", client);
        });

    /// <summary>Replace a client's details.</summary>
    /// <remarks>Needs <c>If-Match</c> with the client's ETag; an erased client cannot be changed (422).</remarks>
    [HttpPut("{id:int}", Name = "updateClient")]
    [Authorize(Policy = Permissions.ClientsManage)]
    [ProducesResponseType<ApiClient>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status428PreconditionRequired, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Update(int id, [FromBody] ApiClientInput request, CancellationToken ct)
    {
        var (version, refusal) = IfMatch();
        if (refusal is not null) return refusal;
        return await AnswerAsync(await directory.SaveAsync(id, request.Form(version!.Value), valid: true, Actor, ct), _ => Get(id, ct));
    }

    private string Actor => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static IQueryable<ApiClient> Project(IQueryable<Client> query) => ApiRepresentations.Clients(query);
}
