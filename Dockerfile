# ImeiEir (all-in-one by default; IMEIEIR_Mode=registry|eir). Build: docker build -t imeieir .
# Run: docker run -p 3868:3868 -p 8080:8080 -p 8700:8700 -p 7777:7777 -v imeieir:/var/lib/imeieir imeieir
# Stage 1 restores on the project files alone, so source edits do not invalidate the restore layer.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ImeiEir.Core/ImeiEir.Core.csproj src/ImeiEir.Core/
COPY src/ImeiEir.Diameter/ImeiEir.Diameter.csproj src/ImeiEir.Diameter/
COPY src/ImeiEir.Store/ImeiEir.Store.csproj src/ImeiEir.Store/
COPY src/ImeiEir.Registry/ImeiEir.Registry.csproj src/ImeiEir.Registry/
COPY src/ImeiEir.Sync/ImeiEir.Sync.csproj src/ImeiEir.Sync/
COPY src/ImeiEir.Notify/ImeiEir.Notify.csproj src/ImeiEir.Notify/
COPY src/ImeiEir.Transport.Epoll/ImeiEir.Transport.Epoll.csproj src/ImeiEir.Transport.Epoll/
COPY src/ImeiEir.Node/ImeiEir.Node.csproj src/ImeiEir.Node/
COPY src/ImeiEir.AdminConsole/ImeiEir.AdminConsole.csproj src/ImeiEir.AdminConsole/
COPY src/ImeiEir.Server/ImeiEir.Server.csproj src/ImeiEir.Server/
COPY tools/eirctl/eirctl.csproj tools/eirctl/
RUN dotnet restore src/ImeiEir.Server/ImeiEir.Server.csproj \
 && dotnet restore tools/eirctl/eirctl.csproj
COPY src/ src/
COPY tools/eirctl/ tools/eirctl/
RUN dotnet publish src/ImeiEir.Server/ImeiEir.Server.csproj -c Release -o /app --no-restore \
 && dotnet publish tools/eirctl/eirctl.csproj -c Release -o /app/eirctl --no-restore

# Stage 2: the ASP.NET Core runtime only (Kestrel carries the Diameter listener), as the image's non-root user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /var/lib/imeieir && chown "$APP_UID" /var/lib/imeieir \
 && printf '#!/bin/sh\nexec dotnet /app/eirctl/eirctl.dll "$@"\n' > /usr/local/bin/eirctl && chmod +x /usr/local/bin/eirctl
ENV IMEIEIR_DataDir=/var/lib/imeieir \
    IMEIEIR_Diameter__Host=0.0.0.0 \
    IMEIEIR_Diameter__Port=3868 \
    IMEIEIR_Http__Host=0.0.0.0 \
    IMEIEIR_Registry__Host=0.0.0.0 \
    IMEIEIR_Sbi__Host=0.0.0.0
VOLUME /var/lib/imeieir
# Diameter S13, node HTTP (lookup, health, metrics), registry admin API (all-in-one and registry modes), SBI (N5g-eir over HTTP/2 for the AMF)
EXPOSE 3868 8080 8700 7777
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/imeieir.dll"]
