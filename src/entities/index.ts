/** What other features may use of entities/: everything else in the folder is its own. */
export {
  callerColumns,
  findEntitiesByIds,
  findEntityByCode,
  findLine,
  findLoginForAuthentication,
} from './entity.repository.js';
export {
  CODE_PATTERN,
  Entity,
  EntityChangeBody,
  EntityCodeParams,
  EntityCreateBody,
  EntityList,
  EntityListQuery,
  EntityResponse,
  PASSWORD_MAX,
  PASSWORD_MIN,
} from './entity.schemas.js';
export {
  addEntity,
  addEntityChecked,
  changeEntity,
  changeEntityChecked,
  listEntities,
  requireEntityPath,
  type EntityView,
} from './entity.service.js';
