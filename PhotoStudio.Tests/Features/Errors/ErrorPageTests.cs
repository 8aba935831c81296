using System.Net;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Errors;

[Collection(SharedStudio.Name)]
public class ErrorPageTests(StudioApp app)
{
    [Fact]
    public async Task A_form_the_server_cannot_read_gets_the_bad_request_page_not_page_not_found()
    {
        var client = await app.SignedInClientAsync("admin@demo.studio");

        // A NUL character in a form body: the server refuses to read the form at all.
        var response = await client.SubmitAsync("/admin/settings", "#settings-form", new Dictionary<string, string> { ["Phone"] = "\0" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("Bad request", page.Single("#error-heading").TextContent);
    }
}
