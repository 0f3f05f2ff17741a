namespace ImeiEir.Diameter.Tests;
