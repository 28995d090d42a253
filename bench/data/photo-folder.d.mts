export const skimageDataDir: string;
export const photoClasses: string[];
export function makePhotoFolder(
  dir: string,
  options?: { perClass?: number; classes?: number; seed?: number; corrupt?: boolean; grayscale?: boolean },
): Promise<string>;
