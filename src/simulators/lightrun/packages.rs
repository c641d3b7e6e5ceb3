//! Runtime Reachability: loaded packages, the dynamic SBOM and watched packages, the
//! `SECURITY` operations.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Extension, Json, Router};
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::JsonBody;
use super::handlers::{check_enum, page, required, unique, valid_date, Params, QueryParams};
use super::store::{Kind, Object, Store};
use super::{now, Caller, Sim, SimError};

const PACKAGE_STATUSES: &[&str] = &["NOT_LOADED", "LOADED", "LOADED_WITH_CLASSES"];
const SBOM_FORMATS: &[&str] = &["SPDX", "CYCLONE_DX", "CSV"];

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/loaded-packages", get(list_loaded_packages))
        .route("/api/v1/sbom", get(sbom))
        .route(
            "/api/v1/watched-packages",
            get(list_watched_packages).post(add_watched_packages).delete(remove_watched_packages),
        )
        .route("/api/v1/watched-packages/{id}", put(update_watched_package))
}

// ---------------------------------------------------------------------------------------
// Loaded packages (LoadedPackagePublicApiDTO) and the SBOM generated from them

/// The filters loaded packages and the SBOM share. `tags`: "the distinct combination of
/// tags assigned to the hosts that loaded them": a package matches when its hosts carry
/// every tag named (one reading of an unclear sentence). An unknown `agentPoolId` is a
/// 400; it is optional here even with RBAC (these operations do not say "mandatory").
struct PackageFilter {
    pool: Option<String>,
    names: Vec<String>,
    versions: Vec<String>,
    tags: Vec<String>,
}

impl PackageFilter {
    fn from(sim: &Sim, params: &Params) -> Result<PackageFilter, SimError> {
        let pool = params.get("agentPoolId").map(str::to_string);
        if let Some(pool) = &pool {
            if sim.store().get(Kind::AgentPool, pool).is_none() {
                return Err(SimError::bad_request(format!("Agent pool {pool} not found")));
            }
        }
        Ok(PackageFilter {
            pool,
            names: params.all("packageNames"),
            versions: params.all("packageVersions"),
            tags: params.all("tags"),
        })
    }

    fn matches(&self, package: &Object) -> bool {
        let tags = package.hidden_list("tags");
        self.pool.as_ref().is_none_or(|p| package.pool() == p)
            && (self.names.is_empty() || self.names.iter().any(|n| n == package.text("packageName")))
            && (self.versions.is_empty() || self.versions.iter().any(|v| v == package.text("version")))
            && self.tags.iter().all(|t| tags.contains(t))
    }
}

/// A loaded package as answered: the store's id is not part of the DTO.
fn package_view(package: &Object) -> Value {
    let mut body = package.body.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("id");
    }
    body
}

/// listLoadedPackages. `status` is an array filter; `loadDateStart`/`loadDateEnd`
/// (inclusive days, UTC) leave out packages never loaded when given.
async fn list_loaded_packages(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let filter = PackageFilter::from(&sim, &params)?;
    let statuses = params.all("status");
    check_enum("status", &statuses, PACKAGE_STATUSES)?;
    let start = params.date("loadDateStart")?;
    let end = params.date("loadDateEnd")?;
    let store = sim.store();
    let packages: Vec<Value> = store
        .of_kind(Kind::LoadedPackage)
        .into_iter()
        .filter(|p| filter.matches(p))
        .filter(|p| statuses.is_empty() || statuses.iter().any(|s| s == p.text("status")))
        .filter(|p| {
            let day = p.hidden_text("loadDate");
            (start.is_none() && end.is_none())
                || (!day.is_empty()
                    && start.as_deref().is_none_or(|s| day >= s)
                    && end.as_deref().is_none_or(|e| day <= e))
        })
        .map(package_view)
        .collect();
    Ok(Json(page(packages, &params, None)?))
}

/// The packages an SBOM lists: the loaded ones (a package never loaded is not a runtime
/// dependency).
fn sbom_packages<'a>(store: &'a Store, filter: &PackageFilter) -> Vec<&'a Object> {
    store
        .of_kind(Kind::LoadedPackage)
        .into_iter()
        .filter(|p| p.text("status") != "NOT_LOADED" && filter.matches(p))
        .collect()
}

/// `groupId:artifactId` as a Maven purl.
fn purl(package: &Object) -> String {
    let name = package.text("packageName");
    let (group, artifact) = name.split_once(':').unwrap_or(("", name));
    format!("pkg:maven/{group}/{artifact}@{}", package.text("version"))
}

/// A UUID-shaped digest of the request, so that the same request gives the same document
/// (a data source read twice must not differ; a server's serial numbers would).
fn stable_uuid(seed: &str) -> String {
    let digest = Md5::digest(seed.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// getSBOM: `format`, `creationTime`, `sbomPackageName`, `sbomSupplierName` and
/// `sbomVersion` required (400 otherwise); `agentPoolId` "required if multiple agent
/// pools configured". SPDX and CycloneDX answer JSON (the SPDXSbomReportDTO and
/// CycloneDXSbomReportDTO shapes), CSV answers text/plain with one line per package (the
/// columns are not documented: made up).
async fn sbom(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Response, SimError> {
    let params = Params::from(query)?;
    let missing = ["format", "creationTime", "sbomPackageName", "sbomSupplierName", "sbomVersion"]
        .into_iter()
        .find(|key| params.get(key).is_none());
    if let Some(key) = missing {
        return Err(SimError::bad_request(format!("Required parameter '{key}' is not present")));
    }
    let format = params.one_of("format", SBOM_FORMATS)?.unwrap_or_default();
    let created = params.get("creationTime").unwrap_or_default().to_string();
    if !valid_date(&created) {
        return Err(SimError::bad_request(format!("creationTime: '{created}' is not a date YYYY-MM-DD")));
    }
    let (name, supplier, version) = (
        params.get("sbomPackageName").unwrap_or_default().to_string(),
        params.get("sbomSupplierName").unwrap_or_default().to_string(),
        params.get("sbomVersion").unwrap_or_default().to_string(),
    );
    if params.get("agentPoolId").is_none() && sim.count(Kind::AgentPool) > 1 {
        return Err(SimError::bad_request("agentPoolId is required when several agent pools exist"));
    }
    let filter = PackageFilter::from(&sim, &params)?;
    let store = sim.store();
    let packages = sbom_packages(&store, &filter);
    let timestamp = format!("{created}T00:00:00Z");
    let seed = format!(
        "{name}|{supplier}|{version}|{created}|{}",
        packages.iter().map(|p| purl(p)).collect::<Vec<_>>().join(",")
    );
    match format.as_str() {
        "SPDX" => {
            let root = "SPDXRef-Package-root";
            let mut spdx_packages = vec![json!({
                "SPDXID": root, "name": name, "versionInfo": version, "supplier": format!("Organization: {supplier}"),
                "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
                "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
            })];
            let mut relationships = vec![
                json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": root}),
            ];
            for (index, package) in packages.iter().enumerate() {
                let id = format!("SPDXRef-Package-{}", index + 1);
                spdx_packages.push(json!({
                    "SPDXID": id, "name": package.text("packageName"), "versionInfo": package.text("version"),
                    "supplier": "NOASSERTION", "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
                    "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
                    "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl(package)}],
                }));
                relationships.push(json!({"spdxElementId": id, "relationshipType": "RUNTIME_DEPENDENCY_OF", "relatedSpdxElement": root}));
            }
            Ok(Json(json!({
                "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
                "name": format!("{name}-{version}"),
                "documentNamespace": format!("https://lightrun.com/spdxdocs/{name}-{version}-{}", stable_uuid(&seed)),
                "creationInfo": {"created": timestamp, "creators": ["Tool: Lightrun", format!("Organization: {supplier}")]},
                "packages": spdx_packages, "relationships": relationships,
            }))
            .into_response())
        }
        "CYCLONE_DX" => {
            let root_ref = format!("{name}@{version}");
            let components: Vec<Value> = packages
                .iter()
                .map(|package| {
                    let full = package.text("packageName");
                    let (group, artifact) = full.split_once(':').unwrap_or(("", full));
                    json!({"type": "library", "bom-ref": purl(package), "group": group, "name": artifact,
                        "version": package.text("version"), "purl": purl(package), "scope": "required"})
                })
                .collect();
            Ok(Json(json!({
                "bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": format!("urn:uuid:{}", stable_uuid(&seed)),
                "version": 1,
                "metadata": {
                    "timestamp": timestamp,
                    "tools": {"services": [{"name": "Lightrun", "provider": {"name": "Lightrun"}}]},
                    "component": {"type": "application", "bom-ref": root_ref, "name": name, "version": version,
                        "description": format!("Supplied by {supplier}")},
                },
                "components": components,
                "dependencies": [{"ref": root_ref, "dependsOn": packages.iter().map(|p| purl(p)).collect::<Vec<_>>()}],
            }))
            .into_response())
        }
        _ => {
            let mut csv = String::from("packageName,version,type,status,purl\n");
            for package in &packages {
                let line = [
                    package.text("packageName"),
                    package.text("version"),
                    package.text("type"),
                    package.text("status"),
                ];
                csv.push_str(&format!("{},{}\n", line.join(","), purl(package)));
            }
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], csv).into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Watched packages (WatchedPackageDTO in the create answer, WatchedPackagePublicDTO else)

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageBody {
    package_name: Option<String>,
    version: Option<String>,
    classes: Option<Vec<String>>,
    notification_webhook_id: Option<String>,
    organization_id: Option<String>,
}

fn already_watched() -> SimError {
    // The overview's and the OpenAPI's wording.
    SimError::conflict("Package already marked as watched.")
}

/// Another watched package with this name and version (the key the 409 is about: "The
/// package added to the watch list already is set as watched").
fn watched(store: &Store, name: &str, version: &Value, except: Option<&str>) -> bool {
    store
        .of_kind(Kind::WatchedPackage)
        .iter()
        .any(|p| p.text("packageName") == name && p.body["version"] == *version && Some(p.id().as_str()) != except)
}

/// addWatchedPackages: 201 with the WatchedPackageDTOs. All or nothing: an empty list or
/// an item without `packageName` is a 400; a package (name and version) already watched,
/// or named twice, a 409.
async fn add_watched_packages(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<Vec<PackageBody>>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    if body.is_empty() {
        return Err(SimError::bad_request("The list of packages must not be empty"));
    }
    let mut store = sim.store();
    let mut wanted: Vec<(String, Value)> = Vec::new();
    for item in &body {
        let name = required("packageName", item.package_name.as_deref())?.to_string();
        let version = json!(item.version);
        if watched(&store, &name, &version, None) || wanted.contains(&(name.clone(), version.clone())) {
            return Err(already_watched());
        }
        wanted.push((name, version));
    }
    let mut created = Vec::new();
    for (item, (name, version)) in body.into_iter().zip(wanted) {
        let at = now();
        let id = uuid::Uuid::new_v4().to_string();
        let public = json!({
            "id": id, "packageName": name, "version": version, "classes": unique(item.classes.unwrap_or_default()),
            "createdBy": caller.name, "createdDate": at, "updatedDate": at,
        });
        let mut hidden = Map::new();
        hidden.insert("notificationWebhookId".into(), json!(item.notification_webhook_id));
        hidden.insert("organizationId".into(), json!(item.organization_id));
        store.insert(Kind::WatchedPackage, public.clone(), hidden.clone());
        let mut answer = public;
        for (key, value) in hidden {
            answer[key] = value;
        }
        created.push(answer);
    }
    Ok((StatusCode::CREATED, Json(json!(created))))
}

async fn list_watched_packages(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let packages: Vec<Value> = sim.store().of_kind(Kind::WatchedPackage).into_iter().map(|p| p.body.clone()).collect();
    Ok(Json(page(packages, &params, None)?))
}

/// updateWatchedPackage: `classes`, `packageName` and `version` required; 200 with the
/// package. An unknown id is a 404, a name and version another package has a 409 (only
/// 200 is documented).
async fn update_watched_package(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PackageBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    store.get(Kind::WatchedPackage, &id).ok_or_else(|| SimError::not_found("No such package."))?;
    let name = required("packageName", body.package_name.as_deref())?.to_string();
    let version = required("version", body.version.as_deref())?.to_string();
    let classes = unique(body.classes.ok_or_else(|| SimError::bad_request("classes: must not be null"))?);
    if watched(&store, &name, &json!(version), Some(&id)) {
        return Err(already_watched());
    }
    let package = store.get_mut(Kind::WatchedPackage, &id).expect("found");
    package.body["packageName"] = json!(name);
    package.body["version"] = json!(version);
    package.body["classes"] = json!(classes);
    package.body["updatedDate"] = json!(now());
    Ok(Json(package.body.clone()))
}

/// removeWatchedPackages: 204. All or nothing: an empty list is a 400, an unknown id a
/// 404 "No such package" and nothing is removed.
async fn remove_watched_packages(
    State(sim): State<Arc<Sim>>,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<StatusCode, SimError> {
    if ids.is_empty() {
        return Err(SimError::bad_request("The list of package ids must not be empty"));
    }
    let mut store = sim.store();
    if ids.iter().any(|id| store.get(Kind::WatchedPackage, id).is_none()) {
        return Err(SimError::not_found("No such package."));
    }
    for id in ids {
        store.remove(&id);
    }
    Ok(StatusCode::NO_CONTENT)
}
