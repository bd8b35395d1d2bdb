namespace IronLb.Deploy.Tests;

/// <summary>The image test reads deploy/Dockerfile; these pin what it reads and how it says what it cannot read.</summary>
public sealed class DockerfileSpecTests
{
    private const string Good = """
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
        ARG TARGETARCH
        RUN case "$TARGETARCH" in arm64) cross=gcc-aarch64-linux-gnu ;; esac \
         && apt-get install -y clang $cross
        WORKDIR /src
        COPY global.json Directory.Build.props ./
        COPY src/ src/
        RUN case "${TARGETARCH:-amd64}" in \
              amd64) rid=linux-x64 ;; \
              arm64) rid=linux-arm64 ;; \
              *) echo "unsupported" >&2; exit 1 ;; \
            esac \
        # a comment inside the continuation, as Docker allows
         && dotnet publish src/IronLb/IronLb.csproj -c Release -r "$rid" \
              -p:PublishAot=true -o /out && ls /out

        FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
        ENV A=1 B="two words"
        COPY --from=build /out/ironlb /usr/local/bin/ironlb
        USER 65534:65534
        ENTRYPOINT ["ironlb"]
        """;

    [Theory]
    [InlineData("amd64", "linux-x64")]
    [InlineData("arm64", "linux-arm64")]
    public void Reads_the_publish_line_for_the_target_architecture(string arch, string rid)
    {
        var spec = DockerfileSpec.Parse(Good, arch);

        Assert.Equal(
            ["src/IronLb/IronLb.csproj", "-c", "Release", "-r", rid, "-p:PublishAot=true", "-o", "/tmp/x"],
            spec.PublishArguments("/tmp/x").Skip(1));
        Assert.Equal("dotnet", spec.PublishWords[0]);
        Assert.Equal("/out", spec.PublishOutput);
        Assert.Equal("/src", spec.BuildWorkdir);
        Assert.Equal([("global.json Directory.Build.props", "./"), ("src/", "src/")], spec.ContextCopies.Select(c => (string.Join(' ', c.Sources), c.Destination)));
        Assert.Equal([new ImageCopy("/out/ironlb", "/usr/local/bin/ironlb")], spec.ImageCopies);
        Assert.Equal(["ironlb"], spec.Entrypoint);
        Assert.Equal((65534, 65534), (spec.Uid, spec.Gid));
        Assert.Equal([new("A", "1"), new("B", "two words")], spec.Env);
    }

    [Fact]
    public void Publish_arguments_begin_with_the_verb()
    {
        Assert.Equal("publish", DockerfileSpec.Parse(Good, "amd64").PublishArguments("/o")[0]);
    }

    [Theory]
    [InlineData("no publish step", "dotnet publish", "dotnet build", "has no RUN step with `dotnet publish`")]
    [InlineData("no branch for this architecture", "arm64) rid", "s390x) rid", "no branch for TARGETARCH=arm64")]
    [InlineData("a variable the case does not set", "-c Release", "-c \"$CONFIG\"", "cannot expand $CONFIG")]
    [InlineData("no output folder", "-o /out", "", "no `-o <folder>`")]
    [InlineData("the image copies from elsewhere", "--from=build /out/ironlb", "--from=build /app/ironlb", "copies /app/ironlb, but the publish writes to /out")]
    [InlineData("a named user", "USER 65534:65534", "USER nobody", "USER should be numeric")]
    [InlineData("a shell-form entrypoint", "ENTRYPOINT [\"ironlb\"]", "ENTRYPOINT ironlb", "exec form")]
    [InlineData("a wildcard copy", "COPY src/ src/", "COPY src/* src/", "plain `COPY <path>... <folder>/`")]
    public void Says_what_it_cannot_follow(string change, string from, string to, string message)
    {
        var text = Good.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Good, text);

        var error = Assert.Throws<InvalidDataException>(() => DockerfileSpec.Parse(text, "arm64"));
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), $"{change}: {error.Message}");
    }

    [Fact]
    public void The_repositorys_dockerfile_is_readable_for_both_architectures()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Deploy, "Dockerfile"));
        foreach (var (arch, rid) in new[] { ("amd64", "linux-x64"), ("arm64", "linux-arm64") })
        {
            var spec = DockerfileSpec.Parse(text, arch);
            Assert.Contains(rid, spec.PublishArguments("/o"));
            // NativeAOT; ImageTests checks the binary itself, this names the cause when a publish line loses it.
            Assert.Contains("-p:PublishAot=true", spec.PublishArguments("/o"));
        }
    }
}
