/**
 * The jest entry of mysql-tls-mock. List it once in the jest config:
 *
 * ```js
 * setupFilesAfterEnv: ["mysql-tls-mock/jest"],
 * ```
 *
 * Importing it registers the matchers with `expect.extend` and declares their types on
 * `jest.Matchers`, so `expect(server).toHaveNegotiatedTls("TLSv1.2")` type-checks. It also exports
 * the fixture and shared-server helpers. Projects that extend `expect` themselves import the
 * matchers from `mysql-tls-mock/matchers` instead, which registers nothing.
 *
 * @packageDocumentation
 */
import { jestGlobal } from "./jest-globals";
import { matchers, type MysqlTlsMockMatchers } from "./matchers";

export type { ConnectionsSubject, MysqlTlsMockMatchers } from "./matchers";
export { type FixtureOptions, type MockServerFixture, useMockServer } from "./fixture";
export {
  readSharedRecords,
  SHARED_ENV,
  type SharedMockServer,
  sharedMockServer,
  waitForSharedRecord,
} from "./shared";

jestGlobal("expect", "mysql-tls-mock/jest").extend(matchers);

declare global {
  // The augmentation must repeat @types/jest's type parameters exactly.
  /* eslint-disable @typescript-eslint/no-namespace, @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars */
  namespace jest {
    interface Matchers<R, T = {}> extends MysqlTlsMockMatchers<R> {}
  }
  /* eslint-enable @typescript-eslint/no-namespace, @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars */
}
