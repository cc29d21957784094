import { addDependenciesToPackageJson, writeJson, type GeneratorCallback, type Tree } from '@nx/devkit';

type Dependencies = Record<string, string>;

/**
 * Adds the packages the workspace's `package.json` lacks and returns the task
 * that installs them. A package already listed, in either section and whatever
 * its specifier (a range, a `file:` tarball, a git URL), is left alone.
 */
export function addMissingDependencies(
  tree: Tree,
  wanted: { dependencies?: Dependencies; devDependencies?: Dependencies },
): GeneratorCallback {
  if (!tree.exists('package.json')) writeJson(tree, 'package.json', { private: true });
  const manifest = JSON.parse(tree.read('package.json', 'utf8')!) as {
    dependencies?: Dependencies;
    devDependencies?: Dependencies;
  };
  const listed = { ...manifest.dependencies, ...manifest.devDependencies };
  const missing = (dependencies: Dependencies = {}) =>
    Object.fromEntries(Object.entries(dependencies).filter(([name]) => !(name in listed)));
  const dependencies = missing(wanted.dependencies);
  const devDependencies = missing(wanted.devDependencies);
  if (Object.keys(dependencies).length + Object.keys(devDependencies).length === 0) return () => {};
  return addDependenciesToPackageJson(tree, dependencies, devDependencies, 'package.json', true);
}
