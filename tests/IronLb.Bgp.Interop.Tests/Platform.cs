// ironlb-lab is Linux only (network namespaces, /proc); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
