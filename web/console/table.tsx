import type { ReactNode } from 'react';

/** A plain table with a caption for assistive tech and one header row (`headers`, in column order). */
export function PlainTable(props: { caption: string; headers: readonly ReactNode[]; children: ReactNode }) {
  return (
    <table className="plain">
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.headers.map((h, i) => (
            <th scope="col" key={i}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
